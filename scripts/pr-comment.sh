#!/usr/bin/env bash
# Posts FILE as the highwater comment on a pull request, or updates it in place: one comment per
# pull request, found by the marker on its first line. Needs GH_TOKEN (pull-requests: write) and
# the gh CLI (on GitHub's runners).
#
#   bash scripts/pr-comment.sh OWNER/REPO PR_NUMBER FILE
set -euo pipefail
repo=${1:?usage: pr-comment.sh OWNER/REPO PR_NUMBER FILE}
pr=${2:?usage: pr-comment.sh OWNER/REPO PR_NUMBER FILE}
file=${3:?usage: pr-comment.sh OWNER/REPO PR_NUMBER FILE}
marker='<!-- highwater-memory-matrix -->'
[[ "$pr" =~ ^[0-9]+$ ]] || { echo "pr-comment: not a pull request number: $pr" >&2; exit 2; }
[ -r "$file" ] || { echo "pr-comment: cannot read $file" >&2; exit 2; }
body=$(cat "$file")
[[ "$body" == "$marker"* ]] || body="$marker
$body"
# GitHub caps a comment at 65,536 characters
if [ ${#body} -gt 65000 ]; then body="${body:0:64000}

(cut: the whole report is in the highwater-report artifact)"; fi
id=$(gh api "repos/$repo/issues/$pr/comments" --paginate --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
if [ -n "$id" ]; then
  gh api -X PATCH "repos/$repo/issues/comments/$id" -f body="$body" >/dev/null
  echo "pr-comment: updated comment $id on #$pr"
else
  gh api -X POST "repos/$repo/issues/$pr/comments" -f body="$body" >/dev/null
  echo "pr-comment: commented on #$pr"
fi
