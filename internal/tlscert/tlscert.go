// Package tlscert makes and checks the certificates of custom domains:
// self-signed ones for development, where no public ACME server is
// reachable, and uploaded ones, which must match their key and name the
// hostname they serve.
package tlscert

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/gitpaas/paas"
)

// Validity is how long a self-signed certificate lasts.
const Validity = 90 * 24 * time.Hour

// SelfSigned returns a new ECDSA P-256 certificate for hosts (DNS names,
// wildcards allowed) and its private key, both PEM, valid from an hour ago
// (clocks drift) for validity.
func SelfSigned(hosts []string, validity time.Duration, now time.Time) (certPEM, keyPEM string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: hosts[0], Organization: []string{"paas self-signed"}},
		DNSNames:              hosts,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})), nil
}

// Info is what the platform shows of a certificate.
type Info struct {
	NotAfter   time.Time
	SelfSigned bool
}

// Check parses the PEM pair certPEM and keyPEM and reports what is wrong
// with it for hostname: a key that does not match, a certificate that does
// not name hostname, or one that has expired. It never echoes the key.
func Check(certPEM, keyPEM, hostname string, now time.Time) (Info, error) {
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		return Info{}, paas.Errorf(paas.EINVALID, "the certificate and key are not a valid PEM pair (%v); give the certificate chain and its unencrypted private key", err)
	}
	leaf := pair.Leaf
	if err := leaf.VerifyHostname(hostname); err != nil {
		return Info{}, paas.Errorf(paas.EINVALID, "the certificate does not name %s (it names %v); give a certificate for that hostname", hostname, leaf.DNSNames)
	}
	if now.After(leaf.NotAfter) {
		return Info{}, paas.Errorf(paas.EINVALID, "the certificate expired on %s; give a current one", leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	// CheckSignatureFrom would want a CA; a leaf signed by its own key is
	// what self-signed means here.
	selfSigned := bytes.Equal(leaf.RawIssuer, leaf.RawSubject) &&
		leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil
	return Info{NotAfter: leaf.NotAfter.UTC(), SelfSigned: selfSigned}, nil
}

// Pair parses a PEM pair into a certificate the TLS server can present.
func Pair(certPEM, keyPEM string) (*tls.Certificate, error) {
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	return &pair, nil
}
