#!/usr/bin/env python3
"""Writes a synthetic runbook with N steps for the plan/validate/engine benchmarks.

Every 10th step reads the previous one's output (an implied edge), the others follow the
step before them, and each has an `if:` and parameters with expressions, so parsing,
schema, CEL type-checking, graph and plan all do real work.
usage: gen-runbook.py N > file.yaml
"""
import sys

n = int(sys.argv[1])
print("name: generated-%d" % n)
print("inputs:")
print("  greeting: { type: string, default: hello }")
print("  enabled: { type: bool, default: true }")
print("steps:")
for i in range(n):
    print("  - id: step-%d" % i)
    print("    uses: approve")
    print("    if: ${{ inputs.enabled && inputs.greeting != '' }}")
    print("    with:")
    print("      message: \"${{ inputs.greeting + ' from step %d' }}\"" % i)
