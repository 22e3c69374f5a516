#!/usr/bin/env python3
"""Validates AWS JSON-protocol request bodies against botocore's own service models.

Reads {"calls": [{"target": "<X-Amz-Target>", "input": {...}, "origin": "..."}]} on stdin and writes
{"botocore": <version>, "checked": n, "operations": {target: count}, "errors": [...], "skippedPatterns": [...]}
on stdout. Each error names the call's origin, the operation, the field and the problem.

Two layers of checks per call:
1. botocore.validate.ParamValidator: required members, unknown members, types, minimum lengths/values. This is
   what boto3 and the AWS CLI check before they send a request.
2. The rest of the model's own constraints, which botocore leaves to the service: "max" (length, item count or
   value), "enum", "pattern", and booleans where the model wants a number (JSON true is not 1 to AWS).

The bodies are what went over the wire (JSON protocol), so types are the wire's: timestamps are epoch numbers and
blobs base64 strings, both of which ParamValidator accepts; blobs are additionally checked to be valid base64.
"""
import base64
import binascii
import json
import re
import sys

import botocore
import botocore.session
from botocore.validate import ParamValidator

try:  # The model's patterns are Java regexes; `regex` understands \p{L} and friends, the stdlib `re` does not.
    import regex as _regex
except ImportError:  # pragma: no cover - depends on the machine
    _regex = None

# X-Amz-Target prefix -> botocore service name. Each is checked against the model's own targetPrefix below, so a
# wrong entry fails loudly instead of validating against the wrong model.
SERVICES = {
    'AmazonEC2ContainerServiceV20141113': 'ecs',
    'AmazonEC2ContainerRegistry_V20150921': 'ecr',
    'AmazonSSM': 'ssm',
    'CodeBuild_20161006': 'codebuild',
    'AWSStepFunctions': 'stepfunctions',
    'AWSEvents': 'events',
    'Logs_20140328': 'logs',
    'AWSCognitoIdentityProviderService': 'cognito-idp',
}


def _compile(pattern, cache, skipped):
    if pattern in cache:
        return cache[pattern]
    compiled = None
    for engine in ([_regex] if _regex else []) + [re]:
        try:
            compiled = engine.compile(pattern)
            break
        except Exception:  # noqa: BLE001 - a pattern this engine cannot read
            continue
    if compiled is None:
        skipped.add(pattern)
    cache[pattern] = compiled
    return compiled


class ModelConstraints:
    """The model constraints ParamValidator does not check: max, enum, pattern, bool-as-number, base64 blobs."""

    def __init__(self):
        self.patterns = {}
        self.skipped_patterns = set()

    def check(self, value, shape, path, report):
        kind = shape.type_name
        meta = shape.metadata
        if kind == 'structure':
            if not isinstance(value, dict):
                return
            for name, member in shape.members.items():
                if name in value:
                    self.check(value[name], member, f'{path}.{name}' if path else name, report)
        elif kind == 'list':
            if not isinstance(value, list):
                return
            if 'max' in meta and len(value) > meta['max']:
                report(path, f'has {len(value)} items, the model allows at most {meta["max"]}')
            for i, item in enumerate(value):
                self.check(item, shape.member, f'{path}[{i}]', report)
        elif kind == 'map':
            if not isinstance(value, dict):
                return
            if 'max' in meta and len(value) > meta['max']:
                report(path, f'has {len(value)} entries, the model allows at most {meta["max"]}')
            for key, item in value.items():
                self.check(key, shape.key, f'{path} (key {key!r})', report)
                self.check(item, shape.value, f'{path}.{key}', report)
        elif kind == 'string':
            if not isinstance(value, str):
                return
            if 'max' in meta and len(value) > meta['max']:
                report(path, f'is {len(value)} characters long, the model allows at most {meta["max"]}')
            enum = meta.get('enum')
            if enum and value not in enum:
                report(path, f'is {value!r}, not one of the model\'s values {enum}')
            pattern = meta.get('pattern')
            if pattern:
                compiled = _compile(pattern, self.patterns, self.skipped_patterns)
                if compiled is not None and compiled.search(value) is None:
                    report(path, f'{_preview(value)} does not match the model\'s pattern {pattern}')
        elif kind in ('integer', 'long', 'double', 'float'):
            if isinstance(value, bool):
                report(path, f'is a boolean ({json.dumps(value)}), the model wants a number ({kind})')
            elif isinstance(value, (int, float)) and 'max' in meta and value > meta['max']:
                report(path, f'is {value}, the model allows at most {meta["max"]}')
        elif kind == 'blob':
            if isinstance(value, str):
                try:
                    base64.b64decode(value, validate=True)
                except (binascii.Error, ValueError):
                    report(path, 'is not base64, which the JSON protocol requires for a blob')


def _preview(value, limit=80):
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit] + '..."'


def _botocore_errors(params, shape):
    """ParamValidator's findings as (field, problem) pairs."""
    found = ParamValidator().validate(params, shape)
    if not found.has_errors():
        return []
    pairs = []
    for error in getattr(found, '_errors', []):
        reason, name, details = error
        field = name.lstrip('.')
        if reason == 'missing required field':
            field = f'{field}.{details["required_name"]}' if field else details['required_name']
        elif reason == 'unknown field':
            field = f'{field}.{details["unknown_param"]}' if field else details['unknown_param']
        pairs.append((field or '(input)', found._format_error(error)))
    if not pairs:  # a botocore without the private list: its report, one finding per line
        pairs = [('(input)', line) for line in found.generate_report().splitlines()]
    return pairs


def main():
    calls = json.load(sys.stdin)['calls']
    session = botocore.session.get_session()
    models = {}
    constraints = ModelConstraints()
    errors = []
    operations = {}

    for call in calls:
        target = call['target']
        origin = call.get('origin', '')
        prefix, _, operation = target.rpartition('.')

        def report(field, problem, target=target, origin=origin):
            errors.append({'origin': origin, 'operation': target, 'field': field, 'problem': problem})

        service = SERVICES.get(prefix)
        if service is None:
            report('(target)', f'no botocore model is known for the target prefix {prefix!r}')
            continue
        if service not in models:
            model = session.get_service_model(service)
            if model.metadata.get('targetPrefix') != prefix:
                raise SystemExit(f'botocore model {service!r} has targetPrefix {model.metadata.get("targetPrefix")!r}, not {prefix!r}')
            models[service] = model
        model = models[service]
        if operation not in model.operation_names:
            report('(target)', f'{service} has no operation {operation!r}')
            continue
        operations[target] = operations.get(target, 0) + 1
        shape = model.operation_model(operation).input_shape
        params = call['input']
        if shape is None:
            if params:
                report('(input)', 'the operation takes no input')
            continue
        for field, problem in _botocore_errors(params, shape):
            report(field, problem)
        constraints.check(params, shape, '', report)

    json.dump(
        {
            'botocore': botocore.__version__,
            'checked': len(calls),
            'operations': operations,
            'errors': errors,
            'skippedPatterns': sorted(constraints.skipped_patterns),
        },
        sys.stdout,
    )


if __name__ == '__main__':
    main()
