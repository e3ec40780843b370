package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Key is an ES256 (ECDSA P-256 with SHA-256) signing key with its key id.
type Key struct {
	private *ecdsa.PrivateKey
	id      string
	jwk     jwk
}

// jwk is the public part of a key as a JSON Web Key (RFC 7517, RFC 7518 §6.2).
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// GenerateKey returns a new random ES256 key.
func GenerateKey() (*Key, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return newKey(priv)
}

// ID returns the key id (kid): the RFC 7638 JWK thumbprint of the public key.
func (k *Key) ID() string { return k.id }

// Public returns the public key.
func (k *Key) Public() *ecdsa.PublicKey { return &k.private.PublicKey }

// LoadOrCreateKey reads the PEM (PKCS #8) private key at path, or creates
// one there when the file does not exist. A created file has mode 0600 and
// appears atomically with its full content, so a concurrent start or a
// crash never leaves a partial key. Reusing the file keeps tokens valid
// across restarts.
func LoadOrCreateKey(path string) (*Key, error) {
	k, err := loadKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	k, err = GenerateKey()
	if err != nil {
		return nil, err
	}
	if err := writeKeyFile(path, k); err != nil {
		return nil, err
	}
	// Another process may have created the file first: use what is on disk.
	return loadKey(path)
}

func loadKey(path string) (*Key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load signing key %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("load signing key %s: no PEM PRIVATE KEY block found", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("load signing key %s: %w", path, err)
	}
	priv, ok := parsed.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return nil, fmt.Errorf("load signing key %s: key is %T, want an ECDSA P-256 key", path, parsed)
	}
	return newKey(priv)
}

// writeKeyFile writes the key to a temporary file in the target directory
// and links it to path. The link fails if path exists, so an existing key is
// never replaced.
func writeKeyFile(path string, k *Key) error {
	der, err := x509.MarshalPKCS8PrivateKey(k.private)
	if err != nil {
		return fmt.Errorf("create signing key %s: %w", path, err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})

	tmp, err := os.CreateTemp(filepath.Dir(path), ".signing-key-*")
	if err != nil {
		return fmt.Errorf("create signing key %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())

	// CreateTemp already uses mode 0600; Chmod states it regardless of umask.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("create signing key %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("create signing key %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("create signing key %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("create signing key %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create signing key %s: %w", path, err)
	}
	return nil
}

func newKey(priv *ecdsa.PrivateKey) (*Key, error) {
	point, err := priv.PublicKey.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	// Uncompressed point: 0x04, then 32 bytes of x and 32 bytes of y.
	x := base64.RawURLEncoding.EncodeToString(point[1:33])
	y := base64.RawURLEncoding.EncodeToString(point[33:65])
	kid := thumbprint(x, y)
	return &Key{
		private: priv,
		id:      kid,
		jwk:     jwk{Kty: "EC", Crv: "P-256", X: x, Y: y, Kid: kid, Use: "sig", Alg: "ES256"},
	}, nil
}

// thumbprint returns the RFC 7638 thumbprint of a P-256 public key: the
// SHA-256 of the required members in lexicographic order without spaces.
func thumbprint(x, y string) string {
	canonical := `{"crv":"P-256","kty":"EC","x":"` + x + `","y":"` + y + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// jwksDocument returns the JSON Web Key Set that publishes the keys.
func jwksDocument(keys []*Key) ([]byte, error) {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: make([]jwk, 0, len(keys))}
	for _, k := range keys {
		set.Keys = append(set.Keys, k.jwk)
	}
	return json.Marshal(set)
}
