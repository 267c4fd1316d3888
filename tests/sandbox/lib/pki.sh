# Certificates and keys of the sandbox cluster, made with openssl. Sourced by sandbox.sh.
# One CA signs every certificate; the API server trusts it for clients, the node agent trusts it
# for the API server's kubelet client, and kubeconfigs embed it to trust the API server.

# issue_cert NAME SUBJECT USAGE [SANS]: a 2048-bit key and a certificate valid for a year.
issue_cert() {
  local name="$1" subject="$2" usage="$3" sans="${4:-}"
  local dir="$SANDBOX_PKI"
  [ -f "$dir/$name.crt" ] && return 0
  local ext="$dir/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -n "$sans" ] && echo "subjectAltName=$sans"
  } > "$ext"
  openssl genrsa -out "$dir/$name.key" 2048 2>/dev/null
  openssl req -new -key "$dir/$name.key" -subj "$subject" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
}

make_pki() {
  mkdir -p "$SANDBOX_PKI"
  chmod 700 "$SANDBOX_PKI"
  if [ ! -f "$SANDBOX_PKI/ca.crt" ]; then
    openssl genrsa -out "$SANDBOX_PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$SANDBOX_PKI/ca.key" -subj "/CN=pulumi-rocketmq-sandbox-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$SANDBOX_PKI/ca.crt" 2>/dev/null
  fi
  issue_cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:127.0.0.1,IP:$SANDBOX_SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  issue_cert admin "/O=system:masters/CN=sandbox-admin" clientAuth
  issue_cert controller-manager "/CN=system:kube-controller-manager" clientAuth
  issue_cert scheduler "/CN=system:kube-scheduler" clientAuth
  # The agent is the node and also the sandbox's volume provisioner and DNS, which read and
  # write cluster-wide objects: hence system:masters beside system:nodes.
  issue_cert node "/O=system:nodes/O=system:masters/CN=system:node:$SANDBOX_NODE" clientAuth
  issue_cert kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  issue_cert kubelet-serving "/CN=system:node:$SANDBOX_NODE" serverAuth "IP:127.0.0.1,DNS:$SANDBOX_NODE"
  if [ ! -f "$SANDBOX_PKI/service-account.key" ]; then
    openssl genrsa -out "$SANDBOX_PKI/service-account.key" 2048 2>/dev/null
    openssl rsa -in "$SANDBOX_PKI/service-account.key" -pubout -out "$SANDBOX_PKI/service-account.pub" 2>/dev/null
  fi
}

# write_kubeconfig FILE CERT_NAME: a kubeconfig for the API server with a client certificate.
write_kubeconfig() {
  local file="$1" cert="$2"
  cat > "$file.tmp" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: sandbox
  cluster:
    server: https://127.0.0.1:$SANDBOX_API_PORT
    certificate-authority-data: $(base64 -w0 < "$SANDBOX_PKI/ca.crt")
users:
- name: $cert
  user:
    client-certificate-data: $(base64 -w0 < "$SANDBOX_PKI/$cert.crt")
    client-key-data: $(base64 -w0 < "$SANDBOX_PKI/$cert.key")
contexts:
- name: sandbox
  context:
    cluster: sandbox
    user: $cert
current-context: sandbox
YAML
  chmod 600 "$file.tmp"
  mv "$file.tmp" "$file"
}
