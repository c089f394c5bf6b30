package publish

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
)

// A pseudonym key (WCO_PSEUDONYM_KEY) keys the pseudonyms and digests of
// the local ledgers that let a revision say how many records it added,
// removed or changed. It is made by the toolkit (NewKey, wco key new) in a
// form a person does not type: a prefix, 256 random bits and a checksum of
// them. A hash of a passphrase, or any other string, is refused, however
// random it looks: a key someone could guess is no key.

// KeyPrefix opens every key; the 1 is the form's version.
const KeyPrefix = "wcok1_"

// MinKeyBytes is the randomness a key carries: 256 bits, the size of
// HMAC-SHA-256's output.
const MinKeyBytes = 32

// KeyHowTo says how to make a key, for messages and the README.
const KeyHowTo = "make one with: wco key new (it prints a key; keep it in the CI secret store and the publishing team's password manager)"

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// keyChecksum is the checksum of a key's random bytes: 4 bytes of their
// SHA-256, after the prefix.
func keyChecksum(raw []byte) string {
	sum := sha256.Sum256(append([]byte(KeyPrefix), raw...))
	return strings.ToLower(keyEncoding.EncodeToString(sum[:4]))
}

// NewKey makes a key from 256 bits of the system's randomness.
func NewKey() (string, error) {
	raw := make([]byte, MinKeyBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("read randomness for a key: %w", err)
	}
	return KeyPrefix + strings.ToLower(keyEncoding.EncodeToString(raw)) + "_" + keyChecksum(raw), nil
}

// CheckKey refuses anything that is not a key NewKey made: the prefix, 52
// base32 characters of 256 bits and their checksum.
func CheckKey(key string) error {
	refuse := func(why string) error {
		return fmt.Errorf("WCO_PSEUDONYM_KEY is refused: %s; the toolkit accepts only keys it made, %s", why, KeyHowTo)
	}
	key = strings.TrimSpace(key)
	body, ok := strings.CutPrefix(key, KeyPrefix)
	if !ok {
		return refuse(fmt.Sprintf("it does not start with %s", KeyPrefix))
	}
	payload, sum, ok := strings.Cut(body, "_")
	if !ok {
		return refuse("it has no checksum")
	}
	raw, err := keyEncoding.DecodeString(strings.ToUpper(payload))
	if err != nil || len(raw) != MinKeyBytes {
		return refuse("it does not hold 256 bits in base32")
	}
	if sum != keyChecksum(raw) {
		return refuse("its checksum does not match (a character was changed or lost)")
	}
	distinct := map[byte]bool{}
	for _, b := range raw {
		distinct[b] = true
	}
	if len(distinct) < 16 {
		return refuse(fmt.Sprintf("it repeats a few bytes (%d distinct in %d), so it is not random", len(distinct), len(raw)))
	}
	return nil
}
