#!/usr/bin/env python3
"""Writes a synthetic runbook with N steps for the plan/validate/engine benchmarks.

Shaped like a real runbook, not like N copies of one line: parameters interpolate inputs
(`"${{ inputs.greeting }} ... step 17"`), every step has an `if:` over inputs, every 10th step
reads the status of the step 5 before it (an implied edge and a distinct expression), and every
50th step declares `needs:` so the graph has parallel branches.
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
    if i % 50 == 0 and i >= 100:
        print("    needs: [step-%d]" % (i - 100))
    if i % 10 == 5 and i >= 10:
        print("    if: ${{ inputs.enabled && steps.step-%d.status == 'succeeded' }}" % (i - 5))
    else:
        print("    if: ${{ inputs.enabled && inputs.greeting != '' }}")
    print("    with:")
    print("      message: \"${{ inputs.greeting }} from step %d of ${{ run.target }}\"" % i)
