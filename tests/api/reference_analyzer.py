"""The RDS monitoring recipe's analysis Lambda, as a standalone boto3 program.

It is written the way the recipe's function is: plain boto3 clients made with no endpoint_url,
Performance Insights' db.load.avg over the last hour at 300-s periods grouped by wait event and
by tokenized SQL (top 10 each), each series' data points averaged, wait events above 1.0 and
statements above 0.5 average active sessions reported, the report stored in S3 under
performance-reports/YYYY/MM/DD/HH/analysis.json and the two counts published to CloudWatch
(RDS/PerformanceInsights). Nothing in it knows about dbinsight: tests/api/analyzer_clients_test.py
runs it with only AWS_ENDPOINT_URL pointing at dbinsight (boto3 >= 1.28 honours that variable)
and checks that it finds what dbinsight's own analyzer (`aws lambda invoke`) finds.

Environment: DB_RESOURCE_ID (the PI identifier, db-...), S3_BUCKET, DB_INSTANCE_IDENTIFIER
(the CloudWatch dimension; defaults to DB_RESOURCE_ID).
Run: python3 reference_analyzer.py ['<event JSON>']. The event is what EventBridge passes to
the Lambda; its "time" (ISO-8601, e.g. "2026-11-27T07:15:00Z") is the end of the analyzed
hour, as for a scheduled run at that time; without it the hour ends now. Prints the handler's
return value as JSON.
"""

import json
import os
import sys
from datetime import datetime, timedelta, timezone

import boto3

HIGH_LOAD_THRESHOLD = 1.0
PROBLEMATIC_QUERY_THRESHOLD = 0.5

pi_client = boto3.client("pi")
s3_client = boto3.client("s3")
cloudwatch = boto3.client("cloudwatch")


def end_of_window(event):
    if isinstance(event, dict) and event.get("time"):
        return datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def average(data_points):
    values = [p["Value"] for p in data_points if "Value" in p]
    return sum(values) / len(values) if values else 0.0


def lambda_handler(event, context):
    resource_id = os.environ["DB_RESOURCE_ID"]
    bucket = os.environ["S3_BUCKET"]
    instance = os.environ.get("DB_INSTANCE_IDENTIFIER", resource_id)
    end_time = end_of_window(event)
    start_time = end_time - timedelta(hours=1)

    response = pi_client.get_resource_metrics(
        ServiceType="RDS",
        Identifier=resource_id,
        StartTime=start_time,
        EndTime=end_time,
        PeriodInSeconds=300,
        MetricQueries=[
            {"Metric": "db.load.avg", "GroupBy": {"Group": "db.wait_event", "Limit": 10}},
            {"Metric": "db.load.avg", "GroupBy": {"Group": "db.sql_tokenized", "Limit": 10}},
        ],
    )

    analysis_results = {
        "timestamp": end_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "metrics_analyzed": 0,
        "high_load_events": [],
        "problematic_queries": [],
        "recommendations": [],
    }
    for metric in response["MetricList"]:
        dimensions = metric["Key"].get("Dimensions", {})
        if not dimensions:
            continue  # the query's total
        analysis_results["metrics_analyzed"] += 1
        avg_load = average(metric["DataPoints"])
        if "db.wait_event.name" in dimensions and avg_load > HIGH_LOAD_THRESHOLD:
            analysis_results["high_load_events"].append(
                {"wait_event": dimensions["db.wait_event.name"], "average_load": avg_load})
        elif "db.sql_tokenized.statement" in dimensions and avg_load > PROBLEMATIC_QUERY_THRESHOLD:
            statement = dimensions["db.sql_tokenized.statement"]
            if len(statement) > 200:
                statement = statement[:200] + "..."
            analysis_results["problematic_queries"].append({"sql_statement": statement, "average_load": avg_load})

    analysis_results["high_load_events"].sort(key=lambda e: -e["average_load"])
    analysis_results["problematic_queries"].sort(key=lambda q: -q["average_load"])
    for e in analysis_results["high_load_events"]:
        analysis_results["recommendations"].append(
            f"Wait event {e['wait_event']} averaged {e['average_load']:.2f} active sessions: investigate it.")
    for q in analysis_results["problematic_queries"]:
        analysis_results["recommendations"].append(
            f"Query averaging {q['average_load']:.2f} active sessions: review it: {q['sql_statement']}")

    s3_client.put_object(
        Bucket=bucket,
        Key=end_time.strftime("performance-reports/%Y/%m/%d/%H/analysis.json"),
        Body=json.dumps(analysis_results, indent=2),
        ContentType="application/json",
    )
    cloudwatch.put_metric_data(
        Namespace="RDS/PerformanceInsights",
        MetricData=[
            {"MetricName": "HighLoadEvents", "Value": len(analysis_results["high_load_events"]), "Unit": "Count",
             "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": instance}], "Timestamp": end_time},
            {"MetricName": "ProblematicQueries", "Value": len(analysis_results["problematic_queries"]),
             "Unit": "Count", "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": instance}],
             "Timestamp": end_time},
        ],
    )
    return {"statusCode": 200, "body": json.dumps(analysis_results)}


if __name__ == "__main__":
    print(json.dumps(lambda_handler(json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}, None)))
