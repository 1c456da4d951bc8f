#!/usr/bin/env bash
# Makes the certificates for mutual TLS between the nodes of one cluster (deploy/tls/README.md):
# a CA, and per node a PKCS12 keystore with a key that CA signed, plus a truststore holding only
# the CA's certificate. Only the JDK's keytool.
#   deploy/tls/make-cluster-certs.sh DIR [NODE_NAME...]
# Run it again on the same DIR to add nodes: the CA, the truststore and the password are reused,
# a node whose keystore exists is kept (delete DIR/NODE_NAME to issue it anew).
# Environment: CA_DAYS (default 3650) and NODE_DAYS (default 730), the certificates' validity.
set -euo pipefail

usage() { # usage EXIT_CODE: to stdout for --help, to stderr after a mistake
  local fd=2
  [ "$1" = 0 ] && fd=1
  cat >&"$fd" <<USAGE
usage: $0 DIR [NODE_NAME...]
  DIR         where the CA, the truststore and one directory per node go (made if missing)
  NODE_NAME   a node: letters, digits, '.', '_' and '-'. Best its cluster host
              (AUTOGLM_CLUSTER_HOST, a host name or an IP address): it goes into the
              certificate's subject alternative names, so hostname verification can be on.
Without NODE_NAMEs only the CA and the truststore are made.
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
for name in "$@"; do
  case "$name" in
    '' | -* | .* | ca | ca.crt | truststore.p12 | store-password | *[!A-Za-z0-9._-]*)
      echo "$0: bad node name '$name'" >&2
      usage 2
      ;;
  esac
done
CA_DAYS="${CA_DAYS:-3650}"
NODE_DAYS="${NODE_DAYS:-730}"
case "$CA_DAYS$NODE_DAYS" in *[!0-9]*) echo "$0: CA_DAYS and NODE_DAYS are numbers of days" >&2; exit 2 ;; esac
command -v keytool >/dev/null || { echo "$0: keytool (from a JDK) is not on the PATH" >&2; exit 1; }

umask 077 # keys and the password: readable by their owner only
mkdir -p "$DIR/ca"
DIR="$(cd "$DIR" && pwd)"

# One password for the stores of this DIR (PKCS12 keeps a key under its store's password).
# Write your own into DIR/store-password before the first run to choose it.
if [ ! -s "$DIR/store-password" ]; then
  head -c 24 /dev/urandom | base64 | tr -d '/+=\n' > "$DIR/store-password"
fi
PASS="$(cat "$DIR/store-password")"
[ ${#PASS} -ge 6 ] || { echo "$0: $DIR/store-password: at least 6 characters" >&2; exit 1; }

# keytool, quiet unless it fails; a JVM tuned to start fast, as it starts a dozen times
kt() {
  local out
  out="$(keytool -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC -storetype PKCS12 "$@" 2>&1)" ||
    { echo "$out" >&2; echo "$0: keytool $1 failed" >&2; return 1; }
}
# EC P-256 keys: as strong as RSA 3072, and made in a fraction of its time
KEY=(-keyalg EC -groupname secp256r1)

CA_STORE="$DIR/ca/ca.p12"
if [ ! -f "$CA_STORE" ]; then
  kt -genkeypair -keystore "$CA_STORE" -storepass "$PASS" -alias ca \
    "${KEY[@]}" -validity "$CA_DAYS" \
    -dname "CN=AutoGLM cluster CA $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -ext bc:c=ca:true,pathlen:0 -ext ku:c=keyCertSign,cRLSign
  echo "made   $CA_STORE (the CA's key: keep it off the nodes)"
fi
kt -exportcert -rfc -keystore "$CA_STORE" -storepass "$PASS" -alias ca -file "$DIR/ca.crt"

TRUST="$DIR/truststore.p12"
if [ ! -f "$TRUST" ]; then
  kt -importcert -noprompt -keystore "$TRUST" -storepass "$PASS" \
    -alias autoglm-cluster-ca -file "$DIR/ca.crt"
  echo "made   $TRUST (the CA's certificate: the same on every node)"
fi

for name in "$@"; do
  node_dir="$DIR/$name"
  store="$node_dir/keystore.p12"
  if [ -f "$store" ]; then
    echo "kept   $store (exists; delete $node_dir to issue it anew)"
    continue
  fi
  mkdir -p "$node_dir"
  case "$name" in
    *[!0-9.]*) san="dns:$name" ;; # a host name
    *) san="ip:$name" ;;          # digits and dots: an IPv4 address
  esac
  tmp="$(mktemp -d "$DIR/.new-$name.XXXXXX")" # in DIR: the keystore moves in place at once
  trap 'rm -rf "$tmp"' EXIT
  kt -genkeypair -keystore "$tmp/keystore.p12" -storepass "$PASS" -alias node \
    "${KEY[@]}" -validity "$NODE_DAYS" -dname "CN=$name"
  kt -certreq -keystore "$tmp/keystore.p12" -storepass "$PASS" -alias node -file "$tmp/node.csr"
  # a node is both a TLS server (inbound) and a TLS client (outbound), so both usages
  kt -gencert -keystore "$CA_STORE" -storepass "$PASS" -alias ca -rfc -validity "$NODE_DAYS" \
    -infile "$tmp/node.csr" -outfile "$node_dir/node.crt" \
    -ext ku:c=digitalSignature -ext eku=serverAuth,clientAuth -ext "san=$san"
  # the signed certificate replaces the self-signed one; keytool builds the chain from the CA
  kt -importcert -noprompt -keystore "$tmp/keystore.p12" -storepass "$PASS" -alias ca \
    -file "$DIR/ca.crt"
  kt -importcert -noprompt -keystore "$tmp/keystore.p12" -storepass "$PASS" -alias node \
    -file "$node_dir/node.crt"
  kt -delete -keystore "$tmp/keystore.p12" -storepass "$PASS" -alias ca
  mv "$tmp/keystore.p12" "$store"
  rm -rf "$tmp"
  trap - EXIT
  echo "made   $store (CN=$name, $san, valid $NODE_DAYS days)"
done

cat <<DONE

Copy to each node NODE (e.g. into /etc/autoglm/tls/, readable by the node's user only):
  $DIR/NODE/keystore.p12, $DIR/truststore.p12, and the password in $DIR/store-password
and set in its environment (/etc/autoglm/node.env):
  AUTOGLM_CLUSTER_TRANSPORT=tls-tcp
  AUTOGLM_CLUSTER_KEYSTORE=/etc/autoglm/tls/keystore.p12
  AUTOGLM_CLUSTER_TRUSTSTORE=/etc/autoglm/tls/truststore.p12
  AUTOGLM_CLUSTER_KEYSTORE_PASSWORD=<the password>
  AUTOGLM_CLUSTER_TRUSTSTORE_PASSWORD=<the password>
(or the -D keys pekko.remote.artery.transport and pekko.remote.artery.ssl.config-ssl-engine.*).
Every node of the cluster must switch to tls-tcp together: a tcp node and a tls-tcp node do not talk.
DONE
