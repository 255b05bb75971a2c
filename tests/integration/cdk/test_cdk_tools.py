#!/usr/bin/env python3
"""Integration tests of the construct library with real tools (run one case: test_cdk_tools.py CASE).

Everything runs offline: the CDK CLI gets a private CDK_HOME and fake credentials and region, and
talks to nothing (cdk ls/diff --app on an existing assembly, diff --template against a file).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("LC_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = os.environ.get("LC_BUILD_DIR", os.path.join(SRC, "build"))
LEASTCLOUD = os.path.join(BUILD, "leastcloud")
CDK = os.path.join(SRC, "node_modules", ".bin", "cdk")
REF = os.path.join(SRC, "tests", "unit", "cdk", "reference")
EXPECTED = os.path.join(SRC, "tests", "unit", "cdk", "expected")
SHARED_REF = os.path.join(SRC, "tests", "data", "cdk-reference")
ALLOWED_LINT = {"E2533", "W3005"}  # also reported on real CDK's output for the same stacks

VARIANTS = {  # unit test case -> (stack, real CDK template)
    "test_seed_template_equals_cdk": ("SampleCDKStack", f"{REF}/seed.template.json"),
    "test_write_template_equals_cdk": ("WriteStack", f"{REF}/write.template.json"),
    "test_readwrite_template_equals_cdk": ("ReadWriteStack", f"{REF}/readwrite.template.json"),
    "test_full_access_template_equals_cdk": ("FullAccessStack", f"{REF}/full.template.json"),
    "test_sortkey_gsi_template_equals_cdk": ("SortKeyGsiStack", f"{REF}/sortkey-gsi.template.json"),
    "test_stream_template_equals_cdk": ("StreamStack", f"{REF}/stream.template.json"),
    "test_invoke_template_equals_cdk": ("InvokeStack", f"{REF}/invoke.template.json"),
    "test_custom_grant_template_equals_cdk": ("CustomGrantStack", f"{REF}/custom.template.json"),
}
FEATURES = {
    "test_provisioned_table_with_indexes_ttl_pitr_matches_cdk": ("ProvisionedStack", f"{EXPECTED}/ProvisionedStack.template.json"),
    "test_kms_encryption_explicit_role_and_grants_match_cdk": ("KmsStack", f"{EXPECTED}/KmsStack.template.json"),
    "test_iam_policy_raw_resource_and_outputs_match_cdk": ("IamStack", f"{EXPECTED}/IamStack.template.json"),
}


def offline_env(home):
    env = dict(os.environ)
    env.update(CDK_HOME=os.path.join(home, "cdk-home"), HOME=home, AWS_REGION="us-east-1",
               AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE",
               AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", AWS_EC2_METADATA_DISABLED="true",
               CDK_DISABLE_VERSION_CHECK="1", NO_COLOR="1")
    env.pop("AWS_PROFILE", None)
    return env


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=240, **kw)
    return p.returncode, p.stdout, p.stderr


def strip(t):
    t["Resources"].pop("CDKMetadata", None)
    t.pop("Conditions", None)
    return t


def check(cond, msg):
    if not cond:
        print("FAIL:", msg)
        sys.exit(1)


def synth_unit_stacks(keep, cases):
    """Runs unit test cases with LC_CDK_TEST_KEEP so that their assemblies stay on disk."""
    for case in cases:
        prog = os.path.join(BUILD, "tests", "cdk_test_features" if case in FEATURES else "cdk_test_assembly")
        env = dict(os.environ, LC_CDK_TEST_KEEP=keep, LC_SOURCE_DIR=SRC, LC_CDK_NO_VALIDATION_OUTPUT="1")
        rc, out, err = run([prog, case], env=env)
        check(rc == 0, f"{case} failed: {out}{err}")


def copy_seed_example(tmp):
    d = os.path.join(tmp, "examples", "seed")
    shutil.copytree(os.path.join(SRC, "examples", "seed"), d, ignore=shutil.ignore_patterns("cdk.out"))
    return d


def synth_runs_the_c_app_of_cdk_json(tmp):
    d = copy_seed_example(tmp)
    env = dict(os.environ, LC_BUILD_DIR=BUILD)
    rc, out, err = run([LEASTCLOUD, "synth"], cwd=d, env=env)
    check(rc == 0, f"leastcloud synth exited {rc}: {err}")
    check("Runtime 'nodejs14.x' was deprecated on '2023-12-04'. Creation was disabled on '2024-01-09'" in err,
          f"no deprecated-runtime warning with dates: {err}")
    ours = strip(json.load(open(os.path.join(d, "cdk.out", "SampleCDKStack.template.json"))))
    ref = strip(json.load(open(f"{REF}/seed.template.json")))
    check(ours == ref, "examples/seed template differs from real CDK's")
    check(os.path.isfile(os.path.join(d, "cdk.out",
          "asset.b205477964981b2847e3ff6bc34423167b614113ba4c8dad4b888c237d53ba65", "index.js")), "asset not staged")
    rc, out, err = run([LEASTCLOUD, "ls"], cwd=d, env=env)
    check(rc == 0 and out.strip() == "SampleCDKStack", f"leastcloud ls: {rc} {out} {err}")
    rc, out, err = run([LEASTCLOUD, "synth", "-o", os.path.join(tmp, "elsewhere")], cwd=d, env=env)
    check(rc == 0 and os.path.isfile(os.path.join(tmp, "elsewhere", "manifest.json")), f"synth -o: {err}")


def synth_runs_a_javascript_cdk_app(tmp):
    src = os.path.join(SHARED_REF, "seed")
    check(os.path.isdir(src), f"missing {src}")
    d = os.path.join(tmp, "jsapp")
    os.makedirs(d)
    for f in ("app.js", "cdk.json"):
        shutil.copy(os.path.join(src, f), d)
    shutil.copytree(os.path.join(src, "functionLocation"), os.path.join(d, "functionLocation"))
    os.symlink(os.path.join(SRC, "node_modules"), os.path.join(d, "node_modules"))
    env = dict(offline_env(tmp), CDK_VALIDATION="false")  # the app's own validation is slow; we warn anyway
    rc, out, err = run([LEASTCLOUD, "synth"], cwd=d, env=env)
    check(rc == 0, f"leastcloud synth of the JS app exited {rc}: {err}")
    check("deprecated on '2023-12-04'" in err, "no deprecated-runtime warning for the JS app")
    ours = strip(json.load(open(os.path.join(d, "cdk.out", "SampleCDKStack.template.json"))))
    ref = strip(json.load(open(f"{REF}/seed.template.json")))
    check(ours == ref, "the JS app synthesized through leastcloud differs from the reference")


def synth_fails_with_the_apps_exit_status(tmp):
    d = os.path.join(tmp, "bad")
    os.makedirs(d)
    json.dump({"app": "sh -c 'echo broken >&2; exit 3'"}, open(os.path.join(d, "cdk.json"), "w"))
    rc, out, err = run([LEASTCLOUD, "synth"], cwd=d)
    check(rc == 1 and "exited with status 3" in err, f"rc={rc} err={err}")
    os.remove(os.path.join(d, "cdk.json"))
    rc, out, err = run([LEASTCLOUD, "synth"], cwd=d)
    check(rc == 1 and "--app is required" in err, f"rc={rc} err={err}")
    rc, out, err = run([LEASTCLOUD, "synth", "--bogus"], cwd=d)
    check(rc == 2, f"usage error should exit 2, got {rc}")


def lint(paths):
    rc, out, err = run(["cfn-lint", "--format", "json", *paths])
    check(rc in (0, 2, 4, 6, 8, 10, 12, 14), f"cfn-lint crashed: {err}")
    found = {}
    for f in json.loads(out or "[]"):
        found.setdefault(f["Filename"], []).append((f["Rule"]["Id"], f["Message"]))
    return found


def cfn_lint_passes_like_real_cdk(tmp):
    keep = os.path.join(tmp, "keep")
    os.makedirs(keep)
    cases = {**VARIANTS, **FEATURES}
    synth_unit_stacks(keep, cases)
    ours = {c: os.path.join(keep, s, f"{s}.template.json") for c, (s, _) in cases.items()}
    findings = lint(list(ours.values()) + [ref for _, ref in cases.values()])
    for case, (stack, ref) in cases.items():
        mine = sorted(findings.get(ours[case], []))
        theirs = sorted(findings.get(ref, []))
        extra = [f for f in mine if f[0] not in ALLOWED_LINT]
        check(not extra, f"{stack}: cfn-lint findings beyond E2533/W3005: {extra}")
        check(mine == theirs, f"{stack}: cfn-lint findings differ from real CDK's: {mine} vs {theirs}")
    print(f"cfn-lint: {len(cases)} templates, findings identical to real CDK's")


def synth_minimal_seed(tmp):
    d = copy_seed_example(tmp)
    out = os.path.join(tmp, "asm")
    env = dict(os.environ, CDK_OUTDIR=out, LC_CDK_NO_VALIDATION_OUTPUT="1")
    env.pop("CDK_CONTEXT_JSON", None)
    rc, _, err = run([os.path.join(BUILD, "seed_stack")], cwd=d, env=env)
    check(rc == 0, f"seed_stack: {err}")
    return out


def cdk_cli_lists_our_assembly(tmp):
    asm = synth_minimal_seed(tmp)
    rc, out, err = run([CDK, "ls", "--app", asm], cwd=tmp, env=offline_env(tmp))
    check(rc == 0 and "SampleCDKStack" in out.split(), f"cdk ls: rc={rc} out={out} err={err[-2000:]}")


def cdk_cli_diff_finds_no_differences(tmp):
    asm = synth_minimal_seed(tmp)
    ref = f"{REF}/seed-minimal.template.json"
    rc, out, err = run([CDK, "diff", "--fail", "--app", asm, "--template", ref], cwd=tmp, env=offline_env(tmp))
    text = out + err
    check(rc == 0 and "Number of stacks with differences: 0" in text, f"cdk diff: rc={rc} {text[-3000:]}")
    # And it can fail: against another variant's template it must report differences.
    rc, out, err = run([CDK, "diff", "--fail", "--app", asm, "--template", f"{REF}/write.template.json"],
                       cwd=tmp, env=offline_env(tmp))
    check(rc != 0, "cdk diff should report differences against another template")


if __name__ == "__main__":
    case = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="lc-cdk-it-")
    try:
        globals()[case](tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1 passed, 0 failed")
