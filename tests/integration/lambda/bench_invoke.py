"""bench_invoke.py: cold-start and warm Invoke latency of Node, Python and C functions on the local cloud
(boto3 client, sequential). Not a test: run it by hand with LC_BUILD_DIR set.

    LC_BUILD_DIR=build python3 tests/integration/lambda/bench_invoke.py [N]
"""
import json
import statistics
import sys
import time

from lambdaenv import Cloud, fn_dir


def timed(c, name, payload=None):
    t0 = time.perf_counter()
    r = c.invoke(name, payload or {})
    assert "FunctionError" not in r, r["Body"]
    return (time.perf_counter() - t0) * 1000


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    c = Cloud()
    try:
        c.ddb().put_item(TableName="dynamoTable", Item={"timestamp": {"N": "1"}})
        c.put_function("b-node", "nodejs20.x", "index.handler", fn_dir("node_rw"))
        c.put_function("b-python", "python3.12", "app.handler", fn_dir("python_rw"))
        c.put_function("b-c", "provided.al2023", "bootstrap", c.c_code_dir())
        c.put_function("b-echo", "nodejs20.x", "index.callback", fn_dir("node_fail"))
        rows = []
        for name, what in (("b-echo", "node, no AWS call"), ("b-node", "node, DynamoDB Scan via SDK v3"),
                           ("b-python", "python, DynamoDB Scan via boto3"), ("b-c", "C, signed DynamoDB Scan")):
            cold = timed(c, name)
            warm = sorted(timed(c, name) for _ in range(n))
            rows.append((what, cold, statistics.median(warm), warm[int(len(warm) * 0.95) - 1]))
        print("%-34s %10s %12s %10s" % ("function", "cold ms", "warm p50 ms", "p95 ms"))
        for what, cold, p50, p95 in rows:
            print("%-34s %10.1f %12.1f %10.1f" % (what, cold, p50, p95))
    finally:
        c.close()


if __name__ == "__main__":
    main()
