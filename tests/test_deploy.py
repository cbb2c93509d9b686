"""deploy/: the Kubernetes configuration is valid for the chart it names, and the image is built for that hub.

No Kubernetes or Docker daemon here: the configuration is checked against the Zero-to-JupyterHub chart's
values schema — the part of it that deploy/config.yaml uses, written below from the chart's configuration
reference (z2jh.jupyter.org, "Configuration Reference", chart 4.3.3): the same types, choices and closed
objects (``additionalProperties: false``) as the chart, so a misspelt or misplaced key fails here as
``helm install`` would fail it. A key the file starts using must first be added here, from the reference.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")
yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "config.yaml"
CHART = "4.3.3"
CHART_HUB = {"4.3.3": "5.4.4"}  # the JupyterHub each chart version runs (its hub image's requirements)

BOOL = {"type": "boolean"}
INT = {"type": ["integer", "null"]}
STRING = {"type": ["string", "null"]}
QUANTITY = {"type": ["number", "string", "null"]}  # Kubernetes quantities: 0.25, "1G"


def closed(properties: dict, required=()) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": properties, "required": list(required)}


def switch(**more) -> dict:
    return closed({"enabled": BOOL, **more})


SCHEMA = closed({
    "hub": closed({
        "concurrentSpawnLimit": INT,
        "config": {"type": "object", "additionalProperties": True},  # JupyterHub's own traitlets, as is
    }),
    "proxy": closed({
        "https": closed({
            "enabled": BOOL,
            "type": {"enum": [None, "", "letsencrypt", "manual", "offload", "secret"]},
            "hosts": {"type": "array", "items": {"type": "string"}},
            "letsencrypt": closed({"contactEmail": STRING, "acmeServer": STRING}),
        }),
    }),
    "singleuser": closed({
        "image": closed({"name": {"type": "string"}, "tag": {"type": "string"}}, required=("name", "tag")),
        "cmd": {"type": ["array", "string", "null"]},
        "defaultUrl": STRING,
        "startTimeout": INT,
        "storage": closed({"type": {"enum": ["dynamic", "static", "none"]}}),
        "cpu": closed({"guarantee": QUANTITY, "limit": QUANTITY}),
        "memory": closed({"guarantee": QUANTITY, "limit": QUANTITY}),
        "extraEnv": {"type": ["object", "array"]},
        "networkPolicy": closed({
            "enabled": BOOL,
            "egressAllowRules": closed({name: BOOL for name in (
                "cloudMetadataServer", "dnsPortsCloudMetadataServer", "dnsPortsKubeSystemNamespace",
                "dnsPortsPrivateIPs", "nonPrivateIPs", "privateIPs")}),
        }),
    }),
    "cull": closed({"enabled": BOOL, "timeout": INT, "every": INT}, required=("enabled",)),
    "scheduling": closed({
        "userScheduler": switch(),
        "podPriority": switch(),
        "userPlaceholder": switch(replicas={"type": "integer", "minimum": 0}),
    }),
    "prePuller": closed({"hook": switch(), "continuous": switch()}),
})


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def test_the_configuration_is_valid_for_the_chart(values):
    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(values), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{'.'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors)


def test_the_schema_refuses_a_misplaced_key():
    bad = {"singleuser": {"memory": {"limit": "2G", "limits": "2G"}}, "proxy": {"http": {"enabled": True}}}
    assert len(list(jsonschema.Draft7Validator(SCHEMA).iter_errors(bad))) == 2


def test_a_room_of_300_can_start_together_over_https(values):
    assert values["proxy"]["https"]["enabled"] and values["proxy"]["https"]["type"] == "letsencrypt"
    assert values["proxy"]["https"]["hosts"], "Let's Encrypt needs the course's DNS name"
    assert values["hub"]["concurrentSpawnLimit"] >= 300  # the chart's default (64) turns most of the room away
    assert values["scheduling"]["userPlaceholder"]["replicas"] >= 300
    assert values["scheduling"]["podPriority"]["enabled"]  # students evict placeholders
    assert values["prePuller"]["hook"]["enabled"] and values["prePuller"]["continuous"]["enabled"]


def test_the_image_is_built_for_the_hub_of_the_chart():
    """The Dockerfile's default, the build command README gives and the chart README and config.yaml install."""
    hub = CHART_HUB[CHART]
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG JUPYTERHUB_VERSION=(\S+)$", dockerfile, re.M).group(1) == hub
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text in (readme, dockerfile):
        builds = re.findall(r"docker build -f deploy/Dockerfile[^\n]*", text)
        assert builds and all(f"--build-arg JUPYTERHUB_VERSION={hub} " in b for b in builds), builds
    for text in (readme, CONFIG.read_text(encoding="utf-8")):
        installs = re.findall(r"helm upgrade --install[^\n]*", text)
        assert installs and all(f"--version {CHART} " in i for i in installs), installs
