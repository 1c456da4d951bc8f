#!/usr/bin/env bash
# Makes a self-signed certificate for the node's HTTPS (autoglm.http.tls, deploy/tls/README.md):
# an RSA key and its certificate, for a test or a small setup whose clients trust this one
# certificate. For production, a certificate from your CA in the same files works the same way.
#   deploy/tls/make-http-cert.sh DIR [HOST...]
# Makes in DIR:
#   http.p12        PKCS12 keystore with the key and the certificate (autoglm.http.tls.keystore)
#   http-password   its password (autoglm.http.tls.keystore-password)
#   http.crt        the certificate in PEM: what clients trust (curl --cacert, autoglm --ca),
#                   and autoglm.http.tls.certificate for the PEM form
#   http.key        the key in PEM, PKCS#8 (autoglm.http.tls.private-key); only when openssl is
#                   on the PATH (keytool cannot write a key out)
# HOSTs (default: localhost 127.0.0.1) go into the certificate's subject alternative names: the
# names clients reach the node by. Environment: HTTP_DAYS (default 365), the validity.
# An existing DIR/http.p12 is kept (delete it to make a new one).
set -euo pipefail

usage() { # usage EXIT_CODE: to stdout for --help, to stderr after a mistake
  local fd=2
  [ "$1" = 0 ] && fd=1
  cat >&"$fd" <<USAGE
usage: $0 DIR [HOST...]
  DIR    where http.p12, http-password, http.crt and http.key go (made if missing)
  HOST   a host name or IP address clients use for the node (default: localhost 127.0.0.1)
USAGE
  exit "$1"
}

[ $# -ge 1 ] || usage 2
case "$1" in
  -h | --help) usage 0 ;;
  -*) echo "$0: unknown option $1" >&2; usage 2 ;;
esac
DIR="$1"
shift
[ $# -ge 1 ] || set -- localhost 127.0.0.1
san=""
for host in "$@"; do
  case "$host" in
    '' | -* | *[!A-Za-z0-9.:-]*) echo "$0: bad host '$host'" >&2; usage 2 ;;
    *:*) entry="ip:$host" ;;        # a colon: an IPv6 address
    *[!0-9.]*) entry="dns:$host" ;; # a host name
    *) entry="ip:$host" ;;          # digits and dots: an IPv4 address
  esac
  san="${san:+$san,}$entry"
done
HTTP_DAYS="${HTTP_DAYS:-365}"
case "$HTTP_DAYS" in '' | *[!0-9]*) echo "$0: HTTP_DAYS is a number of days" >&2; exit 2 ;; esac
command -v keytool >/dev/null || { echo "$0: keytool (from a JDK) is not on the PATH" >&2; exit 1; }

umask 077 # the key and its password: readable by their owner only
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

kt() { # keytool, quiet unless it fails
  local out
  out="$(keytool -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -storetype PKCS12 "$@" 2>&1)" ||
    { echo "$out" >&2; echo "$0: keytool $1 failed" >&2; return 1; }
}

STORE="$DIR/http.p12"
if [ -f "$STORE" ]; then
  echo "kept   $STORE (exists; delete it to make a new one)"
  PASS="$(cat "$DIR/http-password")"
else
  PASS="$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')"
  # RSA: the PEM form of the key is read by pekko-pki, which reads RSA keys
  kt -genkeypair -keystore "$STORE.new" -storepass "$PASS" -alias http \
    -keyalg RSA -keysize 2048 -validity "$HTTP_DAYS" -dname "CN=$1" \
    -ext "san=$san" -ext ku:c=digitalSignature,keyEncipherment -ext eku=serverAuth
  printf '%s' "$PASS" > "$DIR/http-password"
  mv "$STORE.new" "$STORE"
  echo "made   $STORE (CN=$1, $san, valid $HTTP_DAYS days)"
fi
kt -exportcert -rfc -keystore "$STORE" -storepass "$PASS" -alias http -file "$DIR/http.crt"
echo "made   $DIR/http.crt (the certificate clients trust)"
if command -v openssl >/dev/null; then
  openssl pkcs12 -in "$STORE" -passin "file:$DIR/http-password" -nocerts -nodes 2>/dev/null |
    openssl pkey -out "$DIR/http.key"
  echo "made   $DIR/http.key (the key in PEM)"
else
  echo "skipped $DIR/http.key: no openssl on the PATH (use the PKCS12 keystore)"
fi

cat <<DONE

Either PKCS12:
  AUTOGLM_HTTP_TLS_ENABLED=on
  AUTOGLM_HTTP_TLS_KEYSTORE=$STORE
  AUTOGLM_HTTP_TLS_KEYSTORE_PASSWORD=\$(cat $DIR/http-password)
or PEM:
  AUTOGLM_HTTP_TLS_ENABLED=on
  AUTOGLM_HTTP_TLS_CERTIFICATE=$DIR/http.crt
  AUTOGLM_HTTP_TLS_PRIVATE_KEY=$DIR/http.key
(or the keys autoglm.http.tls.*). Then: curl --cacert $DIR/http.crt https://$1:8080/health
and for the CLI and agents: --ca $DIR/http.crt (or AUTOGLM_CA_FILE=$DIR/http.crt)
DONE
