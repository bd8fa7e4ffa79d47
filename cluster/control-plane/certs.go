package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// credentials are the files a fresh control plane needs; all of them live in one directory.
type credentials struct {
	CAFile, CertFile, KeyFile   string
	SAPublicFile, SAPrivateFile string
	TokenFile, AdminToken       string
	// The CA's key stays in memory only: the real node's components get certificates it signs.
	caKey  *ecdsa.PrivateKey
	caCert *x509.Certificate
	serial int64
}

// writeCredentials generates a CA, a serving certificate for the loopback address, a service-account
// signing key and an admin bearer token (group system:masters). Keys are new on every start: a
// control plane's state directory is never reused across starts. servingIPs are further addresses
// the apiserver serves on (the real node's bridge).
func writeCredentials(dir string, servingIPs ...net.IP) (*credentials, error) {
	c := &credentials{
		CAFile:        filepath.Join(dir, "ca.crt"),
		CertFile:      filepath.Join(dir, "apiserver.crt"),
		KeyFile:       filepath.Join(dir, "apiserver.key"),
		SAPublicFile:  filepath.Join(dir, "sa.pub"),
		SAPrivateFile: filepath.Join(dir, "sa.key"),
		TokenFile:     filepath.Join(dir, "tokens.csv"),
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now().Add(-time.Hour)
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "orchestrator-local-ca"},
		NotBefore:             now,
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, _ := x509.ParseCertificate(caDER)

	servingKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	servingTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now,
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		IPAddresses:  append([]net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.1")}, servingIPs...),
	}
	servingDER, err := x509.CreateCertificate(rand.Reader, servingTemplate, caCert, &servingKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	token := make([]byte, 24)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	c.AdminToken = hex.EncodeToString(token)
	c.caKey, c.caCert, c.serial = caKey, caCert, 2

	servingKeyDER, err := x509.MarshalECPrivateKey(servingKey)
	if err != nil {
		return nil, err
	}
	saPublicDER, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return nil, err
	}
	files := []struct {
		path string
		data []byte
	}{
		{c.CAFile, pemBlock("CERTIFICATE", caDER)},
		{c.CertFile, pemBlock("CERTIFICATE", servingDER)},
		{c.KeyFile, pemBlock("EC PRIVATE KEY", servingKeyDER)},
		{c.SAPrivateFile, pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey))},
		{c.SAPublicFile, pemBlock("PUBLIC KEY", saPublicDER)},
		{c.TokenFile, []byte(fmt.Sprintf("%s,admin,admin-uid,\"system:masters\"\n", c.AdminToken))},
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// leaf describes a certificate the CA issues to a component: a client (user CommonName, groups
// Organization) or a server (the addresses it serves on).
type leaf struct {
	name   string // file name stem under the directory
	cn     string
	groups []string
	ips    []net.IP
	dns    []string
}

// issue writes DIR/NAME.crt and DIR/NAME.key, signed by the cluster's CA; a leaf with addresses is
// a serving certificate, one without a client certificate.
func (c *credentials) issue(dir string, l leaf) (certFile, keyFile string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	c.serial++
	now := time.Now().Add(-time.Hour)
	usage := x509.ExtKeyUsageClientAuth
	if len(l.ips)+len(l.dns) > 0 {
		usage = x509.ExtKeyUsageServerAuth
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(c.serial),
		Subject:      pkix.Name{CommonName: l.cn, Organization: l.groups},
		NotBefore:    now,
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		IPAddresses:  l.ips,
		DNSNames:     l.dns,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, c.caCert, &key.PublicKey, c.caKey)
	if err != nil {
		return "", "", err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return "", "", err
	}
	certFile, keyFile = filepath.Join(dir, l.name+".crt"), filepath.Join(dir, l.name+".key")
	if err := os.WriteFile(certFile, pemBlock("CERTIFICATE", der), 0o600); err != nil {
		return "", "", err
	}
	return certFile, keyFile, os.WriteFile(keyFile, pemBlock("EC PRIVATE KEY", keyDER), 0o600)
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

// writeKubeconfig writes an admin kubeconfig with the CA embedded, so it works from any directory.
func writeKubeconfig(path, server string, c *credentials) error {
	return writeKubeconfigFor(path, server, c, "    token: "+c.AdminToken)
}

// writeClientKubeconfig writes a kubeconfig that authenticates with a client certificate (the real
// node's kubelet and kube-proxy).
func writeClientKubeconfig(path, server string, c *credentials, certFile, keyFile string) error {
	return writeKubeconfigFor(path, server, c, fmt.Sprintf("    client-certificate: %s\n    client-key: %s", certFile, keyFile))
}

func writeKubeconfigFor(path, server string, c *credentials, user string) error {
	ca, err := os.ReadFile(c.CAFile)
	if err != nil {
		return err
	}
	const tmpl = `apiVersion: v1
kind: Config
clusters:
- name: orchestrator-local
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: admin
  user:
%s
contexts:
- name: orchestrator-local
  context:
    cluster: orchestrator-local
    user: admin
    namespace: default
current-context: orchestrator-local
`
	body := fmt.Sprintf(tmpl, server, base64.StdEncoding.EncodeToString(ca), user)
	return os.WriteFile(path, []byte(body), 0o600)
}
