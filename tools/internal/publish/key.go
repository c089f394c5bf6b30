package publish

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// MinKeyBytes is the least randomness a pseudonym key must carry: 256
// bits, the size of HMAC-SHA-256's output. A weaker key lets anyone who
// guesses it confirm guessed counts against a release's fingerprint.
const MinKeyBytes = 32

// KeyHowTo says how to make a key, for messages and the README.
const KeyHowTo = "make one with: openssl rand -hex 32 (or: head -c 32 /dev/urandom | base64)"

// CheckKey refuses a pseudonym key with less than 256 bits: it must be
// written as hex (64 digits or more) or base64 (44 characters or more),
// and what it decodes to must not be a repetition of a few bytes, as
// "0000…" or "abab…" would be.
func CheckKey(key string) error {
	key = strings.TrimSpace(key)
	raw, err := hex.DecodeString(key)
	if err != nil {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if raw, err = enc.DecodeString(key); err == nil {
				break
			}
		}
	}
	if err != nil || len(raw) < MinKeyBytes {
		return fmt.Errorf("WCO_PSEUDONYM_KEY is refused: it must hold at least 256 bits of randomness, written as 64 hex digits or 44 base64 characters; %s", KeyHowTo)
	}
	distinct := map[byte]bool{}
	for _, b := range raw {
		distinct[b] = true
	}
	if len(distinct) < 16 {
		return fmt.Errorf("WCO_PSEUDONYM_KEY is refused: it repeats a few bytes (%d distinct in %d), so it is not random; %s", len(distinct), len(raw), KeyHowTo)
	}
	return nil
}
