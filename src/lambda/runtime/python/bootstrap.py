"""bootstrap.py: the Python runtime interface client of leastcloud's Lambda.

Does what AWS's Python runtimes do: import the handler named by _HANDLER from LAMBDA_TASK_ROOT,
then loop on the Runtime API (GET invocation/next, POST .../response or .../error). boto3 inside
the handler talks to the local cloud through AWS_ENDPOINT_URL and the role's session credentials.
"""
import importlib
import json
import os
import sys
import time
import traceback
import urllib.request

API = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]


def _call(method, path, body=None, headers=None):
    req = urllib.request.Request(API + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _error_doc(exc, error_type=None):
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_tb(exc.__traceback__) if exc.__traceback__ else [],
    }


def _post_error(path, doc):
    _call("POST", path, json.dumps(doc).encode(), {"Content-Type": "application/json",
                                                   "Lambda-Runtime-Function-Error-Type": doc["errorType"]})


class _Context:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self._deadline = int(headers.get("Lambda-Runtime-Deadline-Ms", "0"))
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline - int(time.time() * 1000))


def _load():
    spec = os.environ.get("_HANDLER", "lambda_function.lambda_handler")
    module_name, _, fn_name = spec.rpartition(".")
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise _Fail("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        raise _Fail("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e))
    fn = getattr(module, fn_name, None)
    if fn is None:
        raise _Fail("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (fn_name, module_name))
    return fn


class _Fail(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def main():
    try:
        handler = _load()
    except _Fail as e:
        doc = _error_doc(e, e.error_type)
        print("[ERROR] %s: %s" % (e.error_type, e), flush=True)
        _post_error("/init/error", doc)
        sys.exit(1)
    while True:
        status, headers, body = _call("GET", "/invocation/next")
        ctx = _Context(headers)
        if headers.get("Lambda-Runtime-Trace-Id"):
            os.environ["_X_AMZN_TRACE_ID"] = headers["Lambda-Runtime-Trace-Id"]
        try:
            event = json.loads(body) if body else {}
        except ValueError:
            event = body.decode("utf-8", "replace")
        try:
            result = handler(event, ctx)
            try:
                body = json.dumps(result).encode()
            except (TypeError, ValueError) as e:
                doc = _error_doc(e, "Runtime.MarshalError")
                doc["errorMessage"] = "Unable to marshal response: %s" % e
                doc["requestId"] = ctx.aws_request_id
                doc["stackTrace"] = []
                print("[ERROR] Runtime.MarshalError: %s" % doc["errorMessage"], flush=True)
                _post_error("/invocation/%s/error" % ctx.aws_request_id, doc)
                continue
            _call("POST", "/invocation/%s/response" % ctx.aws_request_id, body, {"Content-Type": "application/json"})
        except Exception as e:  # noqa: BLE001 - every handler failure is reported, as Lambda does
            doc = _error_doc(e)
            doc["requestId"] = ctx.aws_request_id
            print("[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"]), flush=True)
            traceback.print_exc()
            _post_error("/invocation/%s/error" % ctx.aws_request_id, doc)


if __name__ == "__main__":
    main()
