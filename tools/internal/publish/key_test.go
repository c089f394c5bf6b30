package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestCheckKeyRefusesAnythingItDidNotMake: a key is what NewKey makes. A
// hash of a passphrase is 256 bits that look random and are not: with
// sha256("password") as the key, anyone who tries common passwords has
// it. Every other form is refused too, saying how to make a key.
func TestCheckKeyRefusesAnythingItDidNotMake(t *testing.T) {
	t.Parallel()
	password := sha256.Sum256([]byte("password"))
	good, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	changed := []byte(good)
	changed[10] ^= 1 // one character off: 'a' becomes '`' or 'b' becomes 'c'
	for _, weak := range []string{
		"", "k", "hunter2", "test-key-not-secret",
		hex.EncodeToString(password[:]),             // sha256("password"), hex
		KeyPrefix + hex.EncodeToString(password[:]), // the prefix alone does not make a key
		strings.Repeat("0", 64),
		"n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", // 256 bits in base64
		string(changed),
		good[:len(good)-1],
		KeyPrefix + strings.Repeat("a", 52) + "_" + keyChecksum(make([]byte, 32)),
	} {
		if err := CheckKey(weak); err == nil || !strings.Contains(err.Error(), "wco key new") {
			t.Errorf("%q accepted, or refused without saying how to make a key: %v", weak, err)
		}
	}
	for _, k := range []string{good, string(testKey), "  " + good + "\n"} {
		if err := CheckKey(k); err != nil {
			t.Errorf("%q refused: %v", k, err)
		}
	}
	other, _ := NewKey()
	if other == good || len(good) != len(KeyPrefix)+52+1+7 {
		t.Errorf("two keys %q and %q", good, other)
	}
}
