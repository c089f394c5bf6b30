package publish

import (
	"strings"
	"testing"
)

func TestCheckKeyRefusesWeakKeys(t *testing.T) {
	t.Parallel()
	for _, weak := range []string{
		"", "k", "hunter2", "test-key-not-secret",
		strings.Repeat("a", 63),                         // 252 bits of hex, and odd
		strings.Repeat("ab", 31),                        // 31 bytes
		strings.Repeat("0", 64),                         // 256 bits of zeros
		strings.Repeat("abcd", 16),                      // two bytes repeated
		"c2hvcnQ=",                                      // base64 of 5 bytes
		strings.Repeat("QUFB", 11),                      // base64 of "AAA…"
		"this passphrase is long but it is not a key!!", // not hex or base64
	} {
		if err := CheckKey(weak); err == nil || !strings.Contains(err.Error(), "openssl rand -hex 32") {
			t.Errorf("%q accepted or refused without saying how to make a key: %v", weak, err)
		}
	}
	for _, good := range []string{
		string(testKey),
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
		"n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg",
	} {
		if err := CheckKey(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
}
