#!/usr/bin/env bash
# The curl samples of ../shared/spec/edge-publish-api-usage.md (token, upload, upload status,
# publish, publish status), run against a store as a developer would run them.
#
# Each sample_* function is the guide's command as written, with these changes only:
#   - the hosts: https://login.microsoftonline.com is $LOGIN_HOST and https://addons.edge.microsoft.com
#     is $API_HOST (the guide calls its API domain a placeholder);
#   - the placeholders get their values from the environment: $Client_ID, $Client_Secret, $TOKEN,
#     $FILE_NAME, $productID and $operationID are shell variables already (`{$Client_ID}` is kept
#     as written: the shell sends the id in braces, which the store accepts), and the two written
#     as `{name}` become `$name` ({tenant}, and {operationID} in the last sample);
#   - the guide's `> ` console prompt is left out, and in the last sample `-v \ https://...`
#     (a space after the backslash, so the shell passes " https://..." with a leading space, which
#     curl rejects as a malformed URL) is broken over two lines as in the other samples.
# What is around them is glue: reading the token and the operation ids from the answers, and
# polling until each operation is done.
#
# Environment: LOGIN_HOST, API_HOST (e.g. http://127.0.0.1:8000), tenant, Client_ID,
# Client_Secret, productID, FILE_NAME. Exit status 0 when the publish ends IN-REVIEW.
set -euo pipefail

: "${LOGIN_HOST:?}" "${API_HOST:?}" "${tenant:?}" "${Client_ID:?}" "${Client_Secret:?}" "${productID:?}" "${FILE_NAME:?}"
TRACE=$(mktemp)
trap 'rm -f "$TRACE"' EXIT

sample_token() {
curl \
-X POST \
-H "Content-Type: application/x-www-form-urlencoded" \
-d "client_id={$Client_ID}" \
-d "scope=https://addons.edge.microsoft.com/.default" \
-d "client_secret={$Client_Secret}" \
-d "grant_type=client_credentials" \
-v \
$LOGIN_HOST/$tenant/oauth2/v2.0/token
}

sample_upload() {
curl \
-H "Authorization: Bearer $TOKEN" \
-H "Content-Type: application/zip" \
-X PUT \
-T $FILE_NAME \
-v \
$API_HOST/api/v1/products/$productID/submissions/draft/package
}

sample_upload_status() {
curl \
-H "Authorization: Bearer $TOKEN" \
-X GET \
-v \
$API_HOST/api/v1/products/$productID/submissions/draft/package/operations/$operationID
}

sample_publish() {
curl \
-H "Authorization: Bearer $TOKEN" \
-X POST \
-d "certificationNotes=text value" \
-v \
$API_HOST/api/v1/products/$productID/submissions
}

sample_publish_status() {
curl \
-H "Authorization: Bearer $TOKEN" \
-X GET \
-v \
$API_HOST/api/v1/products/$productID/submissions/operations/$operationID
}

# Glue ----------------------------------------------------------------------------------------

# The operation id: the last segment of the Location header in the verbose trace.
operation_from_trace() {
    local location
    location=$(grep -i '^< location:' "$TRACE" | tail -n 1 | cut -d ' ' -f 3- | tr -d '\r')
    [ -n "$location" ] || { echo "no Location header in the answer:" >&2; cat "$TRACE" >&2; exit 1; }
    echo "${location##*/}"
}

# Runs a status sample until its status is no longer IN-PROGRESS; prints the last answer.
poll() {
    local answer
    for _ in $(seq 1 120); do
        answer=$("$1" 2>"$TRACE")
        case "$answer" in
            *'"status":"IN-PROGRESS"'*) sleep 0.5 ;;
            *) echo "$answer"; return 0 ;;
        esac
    done
    echo "still in progress after 60 s: $answer" >&2
    exit 1
}

answer=$(sample_token 2>"$TRACE")
TOKEN=$(echo "$answer" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "no access token: $answer" >&2; exit 1; }
echo "token: obtained"

sample_upload 2>"$TRACE"
operationID=$(operation_from_trace)
echo "upload: operation $operationID"
answer=$(poll sample_upload_status)
echo "upload status: $answer"
case "$answer" in *'"status":"SUCCESS"'*) ;; *) exit 1 ;; esac

sample_publish 2>"$TRACE"
operationID=$(operation_from_trace)
echo "publish: operation $operationID"
answer=$(poll sample_publish_status)
echo "publish status: $answer"
case "$answer" in *'"status":"IN-REVIEW"'*) ;; *) exit 1 ;; esac
