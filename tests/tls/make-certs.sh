#!/bin/sh
# Makes throwaway certificates for the HTTPS tests, with the openssl command line tool:
#
#   ca.pem, ca.key             a test CA ("libtenios test CA")
#   server.pem, server.key     a server certificate for localhost and 127.0.0.1, signed by that
#                              CA; server.pem is the chain (server certificate, then the CA)
#   ip-only.pem, ip-only.key   signed by the same CA, but for the address 127.0.0.1 only,
#                              not for localhost (hostname mismatch tests)
#   other-ca.pem, other-ca.key an unrelated CA that signed nothing here (negative tests)
#
# EC P-256 keys, valid for 1 day. Usage: make-certs.sh OUTDIR. Idempotent: when OUTDIR already
# holds a complete set that is valid for at least another hour it is kept; otherwise a whole
# new set is made in a scratch directory and moved into place file by file. Quiet unless
# something fails (then openssl's messages go to stderr and the status is not 0).
set -eu

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"

files="ca.pem ca.key server.pem server.key ip-only.pem ip-only.key other-ca.pem other-ca.key"

complete() {
    for f in $files; do
        [ -s "$out/$f" ] || return 1
    done
    for cert in server ip-only; do
        openssl x509 -in "$out/$cert.pem" -noout -checkend 3600 >/dev/null 2>&1 || return 1
        openssl verify -CAfile "$out/ca.pem" "$out/$cert.pem" >/dev/null 2>&1 || return 1
    done
}
if complete; then
    exit 0
fi

scratch=$(mktemp -d "$out/.make-certs.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
log=$scratch/openssl.log

run() {
    if ! "$@" >>"$log" 2>&1; then
        echo "make-certs.sh: failed: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

key() {
    run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$scratch/$1.key"
}

ca() { # name, subject
    key "$1"
    run openssl req -x509 -new -key "$scratch/$1.key" -sha256 -days 1 -subj "$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$scratch/$1.pem"
}

leaf() { # name, common name, subjectAltName
    key "$1"
    run openssl req -new -key "$scratch/$1.key" -subj "/CN=$2" -out "$scratch/$1.csr"
    cat >"$scratch/$1.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$3
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
    run openssl x509 -req -in "$scratch/$1.csr" -CA "$scratch/ca.pem" -CAkey "$scratch/ca.key" \
        -CAcreateserial -sha256 -days 1 -extfile "$scratch/$1.ext" -out "$scratch/$1.crt"
    cat "$scratch/$1.crt" "$scratch/ca.pem" >"$scratch/$1.pem"
}

ca ca "/CN=libtenios test CA"
ca other-ca "/CN=libtenios other test CA"
leaf server localhost "DNS:localhost,IP:127.0.0.1"
leaf ip-only 127.0.0.1 "IP:127.0.0.1"

chmod 600 "$scratch"/*.key
for f in $files; do
    mv -f "$scratch/$f" "$out/$f"
done
