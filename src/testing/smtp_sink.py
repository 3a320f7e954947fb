"""SMTP sink for dbinsight tests (run with Debian's /usr/bin/python3, which has aiosmtpd).

A real aiosmtpd server on 127.0.0.1 at a free port. Prints "PORT <n>" on stdout once it
listens, then appends every accepted message to --out as one JSON line: envelope sender and
recipients, the decoded Subject/From/To/Message-ID headers and text body, whether the session
ran under TLS and which user authenticated.
  --tls-dir DIR          make a self-signed certificate for 127.0.0.1 there (cert.pem, key.pem)
                         and require STARTTLS
  --user U --password P  require AUTH (PLAIN/LOGIN) with these credentials
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import subprocess

from aiosmtpd.smtp import SMTP


class Recorder:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["subject"] or ""),
            "from": str(msg["from"] or ""),
            "to": str(msg["to"] or ""),
            "message_id": str(msg["message-id"] or ""),
            "body": msg.get_content() if not msg.is_multipart() else "",
            "tls": session.ssl is not None,
            "auth_user": session.login_data.decode() if isinstance(session.login_data, bytes)
            else (session.login_data or ""),
        }
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--tls-dir")
    p.add_argument("--user")
    p.add_argument("--password")
    args = p.parse_args()

    tls_context = None
    if args.tls_dir:
        cert = os.path.join(args.tls_dir, "cert.pem")
        key = os.path.join(args.tls_dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(cert, key)

    def check_password(mechanism, login, password):
        return login.decode() == args.user and password.decode() == args.password

    def factory():
        kwargs = {"tls_context": tls_context, "require_starttls": tls_context is not None}
        if args.user:
            kwargs.update(auth_required=True, auth_require_tls=tls_context is not None,
                          auth_callback=check_password)
        return SMTP(Recorder(args.out), **kwargs)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0))
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    loop.run_forever()


if __name__ == "__main__":
    main()
