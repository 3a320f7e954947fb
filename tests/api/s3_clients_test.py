"""The S3 subset (the versioned report store) through the real aws CLI and boto3 of whichever
interpreter runs this file: pyenv python3 (boto3 1.43, aws-cli 1.45; CRC32 checksums in
x-amz-checksum-crc32) and /usr/bin/python3 (boto3 1.26, aws-cli 2.9). Over plain HTTP both send
plain bodies; botocore frames streaming bodies aws-chunked with a checksum trailer only over
HTTPS (a TLS proxy in front of dbinsight), so AwsChunkedTest sends botocore's own framing.

  CliTest     mb, put-bucket-versioning, cp up and down, ls --recursive under a prefix, a versioned
              overwrite keeping the older version (list-object-versions, get-object --version-id),
              rm --recursive then rb, a 9 MiB file (multipart upload, ranged download), and the
              errors as the CLI prints them (NoSuchBucket, NoSuchKey, BucketNotEmpty,
              BucketAlreadyOwnedByYou)
  Boto3Test   put_object/get_object/head_object, list_objects_v2 with delimiter and pages,
              list_object_versions, delete markers, delete_objects, error codes
  AwsChunkedTest  a PutObject body framed by botocore's AwsChunkedWrapper with a CRC32 trailer
  UnsignedTest  a plain HTTP GET of an object (path style, no signature)

Run: DBINSIGHT_BIN=build/src/app/dbinsight python3 tests/api/s3_clients_test.py -v
"""

import hashlib
import io
import json
import os
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

H = None  # one PostgreSQL + dbinsight for every class
REPORT_KEY = "performance-reports/2026/11/27/06/analysis.json"


def setUpModule():
    global H
    H = harness.Harness().start()


def tearDownModule():
    if H is not None:
        H.stop()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


class CliTest(unittest.TestCase):
    def ok(self, *args):
        rc, out, err = H.aws(*args)
        self.assertEqual(rc, 0, f"aws {' '.join(args)} failed:\n{err}")
        return out

    def fails_with(self, code, *args):
        rc, out, err = H.aws(*args)
        self.assertNotEqual(rc, 0, f"aws {' '.join(args)} succeeded:\n{out}")
        self.assertIn(f"({code})", err)
        return err

    def test_versioned_report_bucket(self):
        self.ok("s3", "mb", "s3://reports-cli")
        self.ok("s3api", "put-bucket-versioning", "--bucket", "reports-cli", "--versioning-configuration",
                "Status=Enabled")
        self.assertEqual(H.aws_json("s3api", "get-bucket-versioning", "--bucket", "reports-cli")["Status"], "Enabled")
        self.assertIn("reports-cli", self.ok("s3", "ls"))

        first = write(os.path.join(H.tmp, "first.json"), b'{"report": 1}\n')
        second = write(os.path.join(H.tmp, "second.json"), b'{"report": 2, "more": true}\n')
        self.ok("s3", "cp", first, f"s3://reports-cli/{REPORT_KEY}")
        self.ok("s3", "cp", second, f"s3://reports-cli/{REPORT_KEY}")
        self.ok("s3", "cp", first, "s3://reports-cli/performance-reports/2026/11/27/07/analysis.json")
        self.ok("s3", "cp", first, "s3://reports-cli/elsewhere.json")

        listing = self.ok("s3", "ls", "s3://reports-cli/performance-reports/", "--recursive")
        lines = [line.split() for line in listing.splitlines()]
        # date, time, size, key; only keys under the prefix
        self.assertEqual([(l[2], l[3]) for l in lines],
                         [(str(len(read(second))), REPORT_KEY),
                          (str(len(read(first))), "performance-reports/2026/11/27/07/analysis.json")])
        self.assertIn("PRE 2026/", self.ok("s3", "ls", "s3://reports-cli/performance-reports/"))

        versions = H.aws_json("s3api", "list-object-versions", "--bucket", "reports-cli", "--prefix", REPORT_KEY)
        self.assertEqual(len(versions["Versions"]), 2)
        latest, older = versions["Versions"]
        self.assertTrue(latest["IsLatest"])
        self.assertFalse(older["IsLatest"])
        self.assertEqual(older["Size"], len(read(first)))
        self.assertEqual(older["ETag"], '"%s"' % hashlib.md5(read(first)).hexdigest())
        old_copy = os.path.join(H.tmp, "old.json")
        meta = H.aws_json("s3api", "get-object", "--bucket", "reports-cli", "--key", REPORT_KEY, "--version-id",
                          older["VersionId"], old_copy)
        self.assertEqual(meta["VersionId"], older["VersionId"])
        self.assertEqual(read(old_copy), read(first))
        down = os.path.join(H.tmp, "down.json")
        self.ok("s3", "cp", f"s3://reports-cli/{REPORT_KEY}", down)
        self.assertEqual(read(down), read(second))

        # Versioned: rm only adds delete markers, so the bucket stays non-empty (as on AWS).
        self.fails_with("BucketNotEmpty", "s3", "rb", "s3://reports-cli")
        self.ok("s3", "rm", "s3://reports-cli/performance-reports/", "--recursive")
        rc, out, _ = H.aws("s3", "ls", "s3://reports-cli/performance-reports/", "--recursive")
        self.assertEqual((rc, out), (1, ""))  # the CLI exits 1 when nothing matches
        after = H.aws_json("s3api", "list-object-versions", "--bucket", "reports-cli", "--prefix", REPORT_KEY)
        self.assertEqual(len(after["Versions"]), 2)
        self.assertEqual(len(after["DeleteMarkers"]), 1)
        self.fails_with("NoSuchKey", "s3api", "get-object", "--bucket", "reports-cli", "--key", REPORT_KEY,
                        os.path.join(H.tmp, "gone.json"))
        self.ok("s3api", "get-object", "--bucket", "reports-cli", "--key", REPORT_KEY, "--version-id",
                older["VersionId"], old_copy)
        self.assertEqual(read(old_copy), read(first))

    def test_rm_recursive_then_rb(self):
        self.ok("s3", "mb", "s3://scratch-cli")
        self.fails_with("BucketAlreadyOwnedByYou", "s3", "mb", "s3://scratch-cli")
        body = write(os.path.join(H.tmp, "scratch.txt"), b"scratch\n")
        for key in ("a.txt", "dir/b.txt", "dir/sub/c.txt"):
            self.ok("s3", "cp", body, f"s3://scratch-cli/{key}")
        self.fails_with("BucketNotEmpty", "s3", "rb", "s3://scratch-cli")
        removed = self.ok("s3", "rm", "s3://scratch-cli", "--recursive")
        self.assertEqual(removed.count("delete:"), 3)
        self.ok("s3", "rb", "s3://scratch-cli")
        self.assertNotIn("scratch-cli", self.ok("s3", "ls"))
        self.fails_with("NoSuchBucket", "s3", "ls", "s3://scratch-cli")

    def test_errors(self):
        self.fails_with("NoSuchBucket", "s3", "ls", "s3://no-such-bucket-here")
        self.fails_with("NoSuchBucket", "s3", "rb", "s3://no-such-bucket-here")
        self.ok("s3", "mb", "s3://errors-cli")
        self.fails_with("NoSuchKey", "s3api", "get-object", "--bucket", "errors-cli", "--key", "missing.json",
                        os.path.join(H.tmp, "missing.json"))
        self.fails_with("InvalidBucketName", "s3api", "create-bucket", "--bucket", "ab")

    def test_large_file_multipart(self):
        self.ok("s3", "mb", "s3://large-cli")
        data = os.urandom(9 * 1024 * 1024 + 123)
        src = write(os.path.join(H.tmp, "large.bin"), data)
        self.ok("s3", "cp", src, "s3://large-cli/large.bin")
        head = H.aws_json("s3api", "head-object", "--bucket", "large-cli", "--key", "large.bin")
        self.assertEqual(head["ContentLength"], len(data))
        self.assertTrue(head["ETag"].endswith('-2"'), head["ETag"])  # two 8 MiB-chunked parts
        dst = os.path.join(H.tmp, "large.down")
        self.ok("s3", "cp", "s3://large-cli/large.bin", dst)
        self.assertEqual(hashlib.md5(read(dst)).hexdigest(), hashlib.md5(data).hexdigest())
        self.ok("s3", "rm", "s3://large-cli/large.bin")
        self.ok("s3", "rb", "s3://large-cli")


class Boto3Test(unittest.TestCase):
    def setUp(self):
        self.s3 = H.client("s3")

    def code(self, call, **kwargs):
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as ctx:
            call(**kwargs)
        return ctx.exception.response["Error"]["Code"]

    def test_put_get_list_versions(self):
        s3 = self.s3
        s3.create_bucket(Bucket="reports-boto")
        s3.put_bucket_versioning(Bucket="reports-boto", VersioningConfiguration={"Status": "Enabled"})
        v1 = s3.put_object(Bucket="reports-boto", Key=REPORT_KEY, Body=json.dumps({"v": 1}).encode(),
                           ContentType="application/json")
        v2 = s3.put_object(Bucket="reports-boto", Key=REPORT_KEY, Body=json.dumps({"v": 2}).encode(),
                           ContentType="application/json")
        self.assertNotEqual(v1["VersionId"], v2["VersionId"])
        self.assertEqual(v2["ETag"], '"%s"' % hashlib.md5(json.dumps({"v": 2}).encode()).hexdigest())

        got = s3.get_object(Bucket="reports-boto", Key=REPORT_KEY)
        self.assertEqual(json.loads(got["Body"].read()), {"v": 2})
        self.assertEqual(got["ContentType"], "application/json")
        self.assertEqual(got["VersionId"], v2["VersionId"])
        old = s3.get_object(Bucket="reports-boto", Key=REPORT_KEY, VersionId=v1["VersionId"])
        self.assertEqual(json.loads(old["Body"].read()), {"v": 1})
        head = s3.head_object(Bucket="reports-boto", Key=REPORT_KEY)
        self.assertEqual(head["ContentLength"], len(json.dumps({"v": 2})))

        versions = s3.list_object_versions(Bucket="reports-boto", Prefix="performance-reports/")
        self.assertEqual([v["VersionId"] for v in versions["Versions"]], [v2["VersionId"], v1["VersionId"]])

        for hour in range(10, 15):
            s3.put_object(Bucket="reports-boto", Key=f"performance-reports/2026/11/27/{hour}/analysis.json",
                          Body=b"{}")
        keys = []
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket="reports-boto", Prefix="performance-reports/",
                                                             PaginationConfig={"PageSize": 2})
        page_count = 0
        for page in pages:
            page_count += 1
            keys += [o["Key"] for o in page.get("Contents", [])]
        self.assertEqual(page_count, 3)
        self.assertEqual(keys, [REPORT_KEY] + [f"performance-reports/2026/11/27/{h}/analysis.json"
                                               for h in range(10, 15)])
        top = s3.list_objects_v2(Bucket="reports-boto", Prefix="performance-reports/2026/11/27/", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in top["CommonPrefixes"]],
                         ["performance-reports/2026/11/27/06/"] +
                         [f"performance-reports/2026/11/27/{h}/" for h in range(10, 15)])
        self.assertNotIn("Contents", top)

        marker = s3.delete_object(Bucket="reports-boto", Key=REPORT_KEY)
        self.assertTrue(marker["DeleteMarker"])
        self.assertEqual(self.code(s3.get_object, Bucket="reports-boto", Key=REPORT_KEY), "NoSuchKey")
        after = s3.list_object_versions(Bucket="reports-boto", Prefix=REPORT_KEY)
        self.assertEqual(after["DeleteMarkers"][0]["VersionId"], marker["VersionId"])
        self.assertTrue(after["DeleteMarkers"][0]["IsLatest"])
        # Removing the marker by version id restores the object.
        s3.delete_object(Bucket="reports-boto", Key=REPORT_KEY, VersionId=marker["VersionId"])
        self.assertEqual(json.loads(s3.get_object(Bucket="reports-boto", Key=REPORT_KEY)["Body"].read()), {"v": 2})

    def test_delete_objects_and_errors(self):
        s3 = self.s3
        s3.create_bucket(Bucket="plain-boto")
        for key in ("a", "b", "c"):
            s3.put_object(Bucket="plain-boto", Key=key, Body=key.encode())
        self.assertEqual(self.code(s3.delete_bucket, Bucket="plain-boto"), "BucketNotEmpty")
        result = s3.delete_objects(Bucket="plain-boto", Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})
        self.assertEqual(sorted(d["Key"] for d in result["Deleted"]), ["a", "b"])
        self.assertEqual([o["Key"] for o in s3.list_objects_v2(Bucket="plain-boto")["Contents"]], ["c"])
        self.assertEqual(s3.get_bucket_versioning(Bucket="plain-boto").get("Status"), None)
        self.assertEqual(self.code(s3.get_object, Bucket="plain-boto", Key="a"), "NoSuchKey")
        self.assertEqual(self.code(s3.get_object, Bucket="nope-boto", Key="a"), "NoSuchBucket")
        self.assertEqual(self.code(s3.list_objects_v2, Bucket="nope-boto"), "NoSuchBucket")
        self.assertEqual(self.code(s3.put_object, Bucket="plain-boto", Key="x/../../y", Body=b"1"),
                         "InvalidArgument")
        self.assertEqual(self.code(s3.create_bucket, Bucket="plain-boto"), "BucketAlreadyOwnedByYou")
        s3.delete_object(Bucket="plain-boto", Key="c")
        s3.delete_bucket(Bucket="plain-boto")
        self.assertNotIn("plain-boto", [b["Name"] for b in s3.list_buckets()["Buckets"]])


class AwsChunkedTest(unittest.TestCase):
    def test_streaming_unsigned_payload_trailer(self):
        from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum
        s3 = H.client("s3")
        s3.create_bucket(Bucket="chunked")
        payload = os.urandom(200_000)
        body = AwsChunkedWrapper(io.BytesIO(payload), checksum_cls=Crc32Checksum,
                                 checksum_name="x-amz-checksum-crc32", chunk_size=65536).read()
        request = urllib.request.Request(f"{H.endpoint}/chunked/streamed.bin", data=body, method="PUT", headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=x/20261127/us-east-1/s3/aws4_request, "
                             "SignedHeaders=host, Signature=00",
            "Content-Encoding": "aws-chunked",
            "X-Amz-Content-SHA256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "X-Amz-Decoded-Content-Length": str(len(payload)),
            "X-Amz-Trailer": "x-amz-checksum-crc32",
            "X-Amz-Sdk-Checksum-Algorithm": "CRC32"})
        with urllib.request.urlopen(request, timeout=30) as r:
            self.assertEqual(r.headers["ETag"], '"%s"' % hashlib.md5(payload).hexdigest())
        self.assertEqual(s3.get_object(Bucket="chunked", Key="streamed.bin")["Body"].read(), payload)


class UnsignedTest(unittest.TestCase):
    def test_plain_http_get(self):
        s3 = H.client("s3")
        s3.create_bucket(Bucket="public-read")
        s3.put_object(Bucket="public-read", Key="dir/hello.txt", Body=b"hello\n", ContentType="text/plain")
        with urllib.request.urlopen(f"{H.endpoint}/public-read/dir/hello.txt", timeout=10) as r:
            self.assertEqual(r.read(), b"hello\n")
            self.assertEqual(r.headers["Content-Type"], "text/plain")


if __name__ == "__main__":
    unittest.main()
