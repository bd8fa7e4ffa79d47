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
}

// writeCredentials generates a CA, a serving certificate for the loopback address, a service-account
// signing key and an admin bearer token (group system:masters). Keys are new on every start: a
// control plane's state directory is never reused across starts.
func writeCredentials(dir string) (*credentials, error) {
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
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.1")},
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

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

// writeKubeconfig writes an admin kubeconfig with the CA embedded, so it works from any directory.
func writeKubeconfig(path, server string, c *credentials) error {
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
    token: %s
contexts:
- name: orchestrator-local
  context:
    cluster: orchestrator-local
    user: admin
    namespace: default
current-context: orchestrator-local
`
	body := fmt.Sprintf(tmpl, server, base64.StdEncoding.EncodeToString(ca), c.AdminToken)
	return os.WriteFile(path, []byte(body), 0o600)
}
