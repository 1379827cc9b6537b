#!/usr/bin/python3
"""k8s_check.py - the Kubernetes manifests of deploy/k8s checked offline.

1. Against the Kubernetes API's own models (Debian's python3-kubernetes, the
   client generated from the API's OpenAPI schema): every object is read into
   its class (V1Job, V1PersistentVolumeClaim) and written back; a field the
   API does not have, a value of the wrong type or a missing required field
   changes or fails the round trip. The check proves it can fail by
   misspelling a field of the Job first.
2. What an Indexed Job of `explainer run --shard` needs: completionMode
   Indexed, completions N and parallelism 1..N, `--shard auto/N` with the same
   N, JOB_COMPLETION_INDEX from the pod's completion-index annotation, one
   output per index, restartPolicy Never or OnFailure, the same volume claim
   in the shards, the merge and the claim's manifest, the merge running
   `explainer merge` over the shards' folder.

Usage: k8s_check.py DEPLOY_K8S_DIR; prints the run arguments of the shard
container (one per line) for the caller to parse with the real binary.
Exits 1 with the first problem.
"""
import copy
import glob
import os
import sys

import yaml

CLASSES = {("batch/v1", "Job"): "V1Job", ("v1", "PersistentVolumeClaim"): "V1PersistentVolumeClaim"}


def fail(msg):
    sys.exit(f"k8s_check: {msg}")


def round_trip(doc, where):
    """Problems of doc against the API's models, or None."""
    import kubernetes.client as k8s

    api = k8s.ApiClient()
    cls = CLASSES.get((doc.get("apiVersion"), doc.get("kind")))
    if not cls:
        return f"{where}: no model for {doc.get('apiVersion')} {doc.get('kind')}"
    try:
        obj = api._ApiClient__deserialize(copy.deepcopy(doc), cls)
    except (ValueError, TypeError) as e:
        return f"{where}: {e}"
    back = api.sanitize_for_serialization(obj)
    if back != doc:
        return f"{where}: not the API's {cls}: {diff(doc, back)}"
    return None


def diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in b:
                return f"{path}.{k} is no field of the API"
            if k not in a:
                return f"{path}.{k} appeared"
            d = diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} became {b!r}"


def check_api(docs):
    try:
        import kubernetes.client  # noqa: F401
    except ImportError:
        fail("python3-kubernetes is not installed (scripts/setup.sh --test installs it)")
    job = next(d for w, d in docs if d["kind"] == "Job" and "completionMode" in d["spec"])
    bad = copy.deepcopy(job)
    bad["spec"]["completionMod"] = bad["spec"].pop("completionMode")
    if not round_trip(bad, "a misspelt Job"):
        fail("the API round trip does not notice a misspelt field")
    for where, d in docs:
        problem = round_trip(d, where)
        if problem:
            fail(problem)


def container(job):
    (c,) = job["spec"]["template"]["spec"]["containers"]
    return c


def claim(job):
    (v,) = job["spec"]["template"]["spec"]["volumes"]
    return v["persistentVolumeClaim"]["claimName"]


def check_shards(job, claim_name):
    s = job["spec"]
    if s.get("completionMode") != "Indexed":
        fail("the shards' Job is not completionMode: Indexed")
    n, par = s.get("completions"), s.get("parallelism")
    if not isinstance(n, int) or n < 1 or not isinstance(par, int) or not 1 <= par <= n:
        fail(f"completions {n!r}, parallelism {par!r}: want N >= 1 and 1 <= parallelism <= N")
    if s["template"]["spec"].get("restartPolicy") not in ("Never", "OnFailure"):
        fail("a Job's pods need restartPolicy Never or OnFailure")
    c = container(job)
    args = [str(a) for a in c["args"]]
    if c["command"] != ["explainer"] or args[0] != "run":
        fail("the shard container does not run `explainer run`")
    if "--shard" not in args or args[args.index("--shard") + 1] != f"auto/{n}":
        fail(f"--shard must be auto/{n}, the Job's completions")
    env = {e["name"]: e for e in c.get("env", [])}
    ref = env.get("JOB_COMPLETION_INDEX", {}).get("valueFrom", {}).get("fieldRef", {})
    if ref.get("fieldPath") != "metadata.annotations['batch.kubernetes.io/job-completion-index']":
        fail("JOB_COMPLETION_INDEX is not the pod's completion index")
    out = args[args.index("--output") + 1]
    if "$(JOB_COMPLETION_INDEX)" not in out:
        fail(f"every index needs its own output: {out}")
    if claim(job) != claim_name:
        fail(f"the shards mount {claim(job)}, the claim is {claim_name}")
    return args, os.path.dirname(out)


def check_merge(job, claim_name, shards_dir):
    s = job["spec"]
    if s.get("completionMode", "NonIndexed") != "NonIndexed" or s.get("completions", 1) != 1:
        fail("the merge is one pod")
    script = " ".join(container(job)["command"] + container(job)["args"])
    if "explainer merge" not in script or f"{shards_dir}/shard-*.db" not in script:
        fail(f"the merge does not merge {shards_dir}/shard-*.db: {script}")
    if claim(job) != claim_name:
        fail(f"the merge mounts {claim(job)}, the claim is {claim_name}")


def main():
    docs = []
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml"))):
        for i, d in enumerate(yaml.safe_load_all(open(path))):
            docs.append((f"{os.path.basename(path)}#{i}", d))
    check_api(docs)
    claims = [d["metadata"]["name"] for w, d in docs if d["kind"] == "PersistentVolumeClaim"]
    jobs = {d["metadata"]["name"]: d for w, d in docs if d["kind"] == "Job"}
    if len(claims) != 1 or set(jobs) != {"explainer-shards", "explainer-merge"}:
        fail(f"want one claim and the jobs explainer-shards, explainer-merge: {claims}, {sorted(jobs)}")
    args, shards_dir = check_shards(jobs["explainer-shards"], claims[0])
    check_merge(jobs["explainer-merge"], claims[0], shards_dir)
    print("\n".join(args))


main()
