#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_cbor (run once by hand; the output is committed):
real request bodies that botocore 1.43 sends for CloudWatch over smithy-rpc-v2-cbor, captured with
a before-send hook (nothing leaves the process), plus hand-made edge cases of the CBOR encoding.
  python3 tests/fuzz/cbor/gen_corpus.py tests/fuzz/cbor/corpus
"""
import datetime
import os
import struct
import sys

import boto3
import botocore.awsrequest
import botocore.model


class Captured(Exception):
    pass


def cbor_client():
    # botocore ranks awsJson1_0 first when a model lists both; CBOR must be first while the client
    # is made (the choice is fixed at creation), as tests/integration/watch/watchhelp.py does.
    saved = botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS
    botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = ("smithy-rpc-v2-cbor",) + tuple(
        p for p in saved if p != "smithy-rpc-v2-cbor")
    try:
        c = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                         aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
        assert c.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
        return c
    finally:
        botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = saved


def capture(client, op, **kw):
    bodies = []

    def hook(request, **_):
        bodies.append(bytes(request.body or b""))
        raise Captured()

    client.meta.events.register("before-send.cloudwatch", hook)
    try:
        getattr(client, op)(**kw)
    except Captured:
        pass
    finally:
        client.meta.events.unregister("before-send.cloudwatch", hook)
    return bodies[0]


def sdk_requests():
    c = cbor_client()
    t0 = datetime.datetime(2026, 11, 30, 12, 0, 0, 500000, tzinfo=datetime.timezone.utc)
    t1 = t0 + datetime.timedelta(hours=1)
    yield "sdk_put_metric_data", capture(c, "put_metric_data", Namespace="App/Orders", MetricData=[
        {"MetricName": "Latency", "Dimensions": [{"Name": "Service", "Value": "checkout"},
                                                 {"Name": "Stage", "Value": "prod\u00e9"}],
         "Timestamp": t0, "Value": 12.5, "Unit": "Milliseconds", "StorageResolution": 1},
        {"MetricName": "Count", "Timestamp": t1, "Values": [1.0, 2.0, 3.0], "Counts": [4.0, 5.0, 6.0],
         "Unit": "Count"},
        {"MetricName": "Stats", "StatisticValues": {"SampleCount": 3.0, "Sum": 6.0, "Minimum": 1.0,
                                                    "Maximum": 3.0}},
    ])
    yield "sdk_get_metric_data", capture(c, "get_metric_data", StartTime=t0, EndTime=t1, MaxDatapoints=100,
                                         ScanBy="TimestampDescending", MetricDataQueries=[
        {"Id": "m1", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": "App/Orders", "MetricName": "Latency",
                       "Dimensions": [{"Name": "Service", "Value": "checkout"}]},
            "Period": 60, "Stat": "p99", "Unit": "Milliseconds"}},
        {"Id": "e1", "Expression": "m1 * 2", "Label": "double", "ReturnData": False, "Period": 300},
    ])
    yield "sdk_describe_alarms", capture(c, "describe_alarms", AlarmNames=["high-latency", "errors"],
                                         StateValue="ALARM", AlarmTypes=["MetricAlarm"], MaxRecords=50,
                                         NextToken="tok")
    yield "sdk_describe_alarms_empty", capture(c, "describe_alarms")
    yield "sdk_put_metric_alarm", capture(c, "put_metric_alarm", AlarmName="high-latency",
                                          AlarmDescription="p99 over 250 ms", ActionsEnabled=True,
                                          AlarmActions=["arn:aws:sns:us-east-1:000000000000:ops"],
                                          MetricName="Latency", Namespace="App/Orders", Statistic="Average",
                                          Dimensions=[{"Name": "Service", "Value": "checkout"}], Period=60,
                                          EvaluationPeriods=3, DatapointsToAlarm=2, Threshold=250.0,
                                          ComparisonOperator="GreaterThanThreshold",
                                          TreatMissingData="notBreaching",
                                          Tags=[{"Key": "team", "Value": "ops"}])
    yield "sdk_get_metric_statistics", capture(c, "get_metric_statistics", Namespace="App/Orders",
                                               MetricName="Latency", StartTime=t0, EndTime=t1, Period=60,
                                               Statistics=["Average", "Maximum"], ExtendedStatistics=["p90"])
    yield "sdk_list_metrics", capture(c, "list_metrics", Namespace="App/Orders",
                                      Dimensions=[{"Name": "Service"}], RecentlyActive="PT3H")


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError(n)


def text(s):
    b = s.encode()
    return head(3, len(b)) + b


def edge_cases():
    yield "edge_indefinite_map_array_strings", (
        b"\xbf" + text("a") + b"\x9f\x01\x02\xff" + text("b") + b"\x7f" + text("x") + text("y") + b"\xff" +
        text("c") + b"\x5f\x41\x01\x42\x02\x03\xff" + b"\xff")
    yield "edge_empty_indefinite", b"\xbf" + text("a") + b"\x9f\xff" + text("s") + b"\x7f\xff" + b"\xff"
    yield "edge_tags", (b"\xa3" + text("t1") + b"\xc1\x1a\x69\x2b\xc1\x00" + text("t1f") + b"\xc1\xfb" +
                        struct.pack(">d", 1795930260.5) + text("tag32") + b"\xd8\x20" + text("http://x"))
    yield "edge_floats", (b"\x88\xf9\x3e\x00\xf9\x7c\x00\xf9\x00\x01\xf9\x80\x00\xfa\x47\xc3\x50\x00"
                          b"\xfa\x7f\xc0\x00\x00\xfb" + struct.pack(">d", -1e300) + b"\xfb" +
                          struct.pack(">d", float("nan")))
    yield "edge_simple_values", b"\x85\xf4\xf5\xf6\xf7\x60"
    yield "edge_integers", (b"\x8a\x00\x17\x18\x18\x19\x01\x00\x1a\x00\x01\x00\x00\x1b\x7f\xff\xff\xff\xff\xff"
                            b"\xff\xff\x20\x38\x63\x3b\x7f\xff\xff\xff\xff\xff\xff\xff\x39\xff\xff")
    yield "edge_nested", b"\x81\xa1" + text("a") + b"\x82\x81\x81\x80\xbf" + text("b") + b"\xa0\xff"
    yield "edge_zero_length", b"\x80"
    yield "edge_empty_map", b"\xa0"
    yield "edge_big_declared_array", b"\x9b\x00\x00\x00\x01\x00\x00\x00\x00\x01"
    yield "edge_big_declared_text", b"\x7a\xff\xff\xff\xf0abc"
    yield "edge_big_declared_map", b"\xbb\x7f\xff\xff\xff\xff\xff\xff\xff" + text("a") + b"\x01"
    yield "edge_bytes", b"\xa2" + text("blob") + b"\x45hello" + text("e") + b"\x40"
    yield "edge_deep", b"\x81" * 60 + b"\x00"
    yield "edge_cbor_ts_key", b"\xa1" + text("$cbor_ts") + b"\x18\x2a"
    yield "edge_duplicate_keys", b"\xa2" + text("k") + b"\x01" + text("k") + b"\x02"
    yield "edge_utf8", b"\xa1" + text("\u00e9\u4e2d\U0001f600") + text("\u0000x")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, body in list(sdk_requests()) + list(edge_cases()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(body)
        print(f"{name}: {len(body)} bytes")


if __name__ == "__main__":
    main()
