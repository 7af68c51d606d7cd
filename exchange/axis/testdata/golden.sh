#!/bin/sh
# Writes the golden requests of exchange/axis: requests as the Java SDK
# 2.0.1 sends them, written by hand from DOMAIN.md §7a, with the HMAC
# computed by openssl and the hash-file by sha256sum — not by vanthu's own
# encoder. Run from this folder: sh golden.sh
#
# The sign-header key order is a Java HashMap's (not alphabetical, not the
# order vanthu's client writes), and the SDK's map keeps what earlier calls
# put in it: the sendEdoc request still signs the docId of an earlier
# getEdoc, as a long-running integration's does.
set -eu
SECRET='Kh0a-bi-mat-cua-he-thong-G22'
SYS='000.00.00.G22'
TS='10032026T081530+0042'

hmac() { printf '%s' "$1" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.*= //'; }
# Java's Integer.toHexString per byte: no zero padding.
hashfile() { sha256sum "$1" | cut -c1-64 | sed 's/../& /g' | awk '{for(i=1;i<=NF;i++){b=$i; sub(/^0/,"",b); printf "%s", b}}'; }
crlf() { printf '%s\r\n' "$@"; }

# getReceivedEdocList: status packages, no date filter.
SH='{"XroadVnpt-Content-Type":"application/json","XroadVnpt-messagetype":"status","XroadVnpt-systemid":"'$SYS'","XroadVnpt-servicetype":"eDoc","XroadVnpt-timestamp":"'$TS'"}'
{
crlf 'POST /vxp/getReceivedEdocList HTTP/1.1' \
  'Content-Type: application/json' \
  'XroadVnpt-Content-Type: application/json' \
  'XroadVnpt-messagetype: status' \
  "XroadVnpt-systemid: $SYS" \
  'XroadVnpt-servicetype: eDoc' \
  "XroadVnpt-timestamp: $TS" \
  'XroadVnpt-sign-header-key: Content-Type;messagetype;systemid;servicetype;timestamp' \
  "XroadVnpt-sign-header: $SH" \
  "XroadVnpt-hash-header: $(hmac "$SH")" \
  'User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP' \
  'XroadVnpt-version: 3.0.201608' \
  'Content-Length: 0' \
  'Host: axis.example.gov.vn' \
  'Connection: Keep-Alive' \
  'Accept-Encoding: gzip,deflate' \
  ''
} > getReceivedEdocList.http

# sendEdoc, octet-stream: the package bytes, then CRLF.
printf '<?xml version="1.0" encoding="UTF-8"?><edXML>gói tin thử 1</edXML>' > package.bin
HF=$(hashfile package.bin)
LEN=$(( $(wc -c < package.bin) + 2 ))
SH='{"XroadVnpt-hash-file":"'$HF'","XroadVnpt-Content-Type":"application/octet-stream","XroadVnpt-messagetype":"edoc","XroadVnpt-docId":"41","XroadVnpt-from":"'$SYS'","XroadVnpt-systemid":"'$SYS'","XroadVnpt-servicetype":"eDoc","XroadVnpt-timestamp":"'$TS'"}'
{
crlf 'POST /vxp/sendEdoc HTTP/1.1' \
  'Content-Type: application/octet-stream' \
  "XroadVnpt-hash-file: $HF" \
  'XroadVnpt-Content-Type: application/octet-stream' \
  'XroadVnpt-messagetype: edoc' \
  'XroadVnpt-docId: 41' \
  "XroadVnpt-from: $SYS" \
  "XroadVnpt-systemid: $SYS" \
  'XroadVnpt-servicetype: eDoc' \
  "XroadVnpt-timestamp: $TS" \
  'XroadVnpt-sign-header-key: hash-file;Content-Type;messagetype;docId;from;systemid;servicetype;timestamp' \
  "XroadVnpt-sign-header: $SH" \
  "XroadVnpt-hash-header: $(hmac "$SH")" \
  'User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP' \
  'XroadVnpt-version: 3.0.201608' \
  "Content-Length: $LEN" \
  'Host: axis.example.gov.vn' \
  ''
cat package.bin
printf '\r\n'
} > sendEdoc.http

# sendEdoc, multipart/form-data with the package in part file_doc, to two
# agencies named in the to header (a JSON array of objects).
B='----vanthuGoldenBoundary7MA4YWxk'
TO='[{"OrganId":"000.00.00.H41"},{"OrganId":"H29.01"}]'
SH='{"XroadVnpt-to":"'$(printf '%s' "$TO" | sed 's/"/\\"/g')'","XroadVnpt-hash-file":"'$HF'","XroadVnpt-messagetype":"edoc","XroadVnpt-from":"'$SYS'","XroadVnpt-systemid":"'$SYS'","XroadVnpt-servicetype":"eDoc","XroadVnpt-timestamp":"'$TS'"}'
{
  crlf "--$B" 'Content-Disposition: form-data; name="file_doc"; filename="edoc.edxml"' 'Content-Type: application/octet-stream' ''
  cat package.bin
  crlf '' "--$B--"
} > multipart.body
{
crlf 'POST /vxp/sendEdoc HTTP/1.1' \
  "Content-Type: multipart/form-data; boundary=$B" \
  "XroadVnpt-to: $TO" \
  "XroadVnpt-hash-file: $HF" \
  'XroadVnpt-messagetype: edoc' \
  "XroadVnpt-from: $SYS" \
  "XroadVnpt-systemid: $SYS" \
  'XroadVnpt-servicetype: eDoc' \
  "XroadVnpt-timestamp: $TS" \
  'XroadVnpt-sign-header-key: to;hash-file;messagetype;from;systemid;servicetype;timestamp' \
  "XroadVnpt-sign-header: $SH" \
  "XroadVnpt-hash-header: $(hmac "$SH")" \
  'User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP' \
  'XroadVnpt-version: 3.0.201608' \
  "Content-Length: $(wc -c < multipart.body)" \
  'Host: axis.example.gov.vn' \
  ''
cat multipart.body
} > sendEdoc-multipart.http
rm multipart.body

# updateStatus done, with a Vietnamese description (UTF-8 in the headers).
SH='{"XroadVnpt-Content-Type":"application/json","XroadVnpt-description":"Đã nhận văn bản","XroadVnpt-status":"done","XroadVnpt-docId":"41","XroadVnpt-systemid":"'$SYS'","XroadVnpt-timestamp":"'$TS'"}'
{
crlf 'POST /vxp/updateStatus HTTP/1.1' \
  'Content-Type: application/json' \
  'XroadVnpt-Content-Type: application/json' \
  'XroadVnpt-description: Đã nhận văn bản' \
  'XroadVnpt-status: done' \
  'XroadVnpt-docId: 41' \
  "XroadVnpt-systemid: $SYS" \
  "XroadVnpt-timestamp: $TS" \
  'XroadVnpt-sign-header-key: Content-Type;description;status;docId;systemid;timestamp' \
  "XroadVnpt-sign-header: $SH" \
  "XroadVnpt-hash-header: $(hmac "$SH")" \
  'User-Agent: JAVASDKAgent/1.0.0 XRoad/VPCP' \
  'XroadVnpt-version: 3.0.201608' \
  'Content-Length: 0' \
  'Host: axis.example.gov.vn' \
  ''
} > updateStatus.http

printf '%s\n' "$HF" > package.hash-file
