"""What the GitHub workflows run, kept as tested Python instead of shell in YAML.

- `report`: read a link-check JSON report (`readlist check-links --format json`).
- `issue`: turn a report into the body of the one `link-rot` issue, and decide
  whether to open, update or close that issue.
- `github`: the thin layer that asks the `gh` CLI and carries the decision out.
- `shards`: how many shards a full link check should be split into.
"""
