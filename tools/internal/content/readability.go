package content

import (
	"regexp"
	"strings"
	"unicode"
)

var (
	sentenceEnd = regexp.MustCompile(`[.!?]+(?:["”’)]*)(?:\s|$)`)
	wordRE      = regexp.MustCompile(`[\p{L}’']+`)
)

// Grade is the Flesch–Kincaid grade level of English prose:
// 0.39 × words per sentence + 11.8 × syllables per word − 15.59.
// Headings and list items count as sentences of their own (the parser ends
// them with a full stop); shortcodes and citations are read as one short
// word.
func Grade(prose string) float64 {
	prose = shortcodeRE.ReplaceAllString(prose, " it ")
	for _, re := range citationREs {
		prose = re.ReplaceAllString(prose, " it ")
	}
	sentences := 0
	words, syllables := 0, 0
	for _, s := range sentenceEnd.Split(prose, -1) {
		ws := wordRE.FindAllString(s, -1)
		if len(ws) == 0 {
			continue
		}
		sentences++
		for _, w := range ws {
			words++
			syllables += Syllables(w)
		}
	}
	if words == 0 {
		return 0
	}
	return 0.39*float64(words)/float64(sentences) + 11.8*float64(syllables)/float64(words) - 15.59
}

// Syllables estimates the syllables of an English word: groups of vowels,
// less a silent final e, at least one.
func Syllables(word string) int {
	w := strings.ToLower(strings.Trim(word, "’'"))
	w = strings.TrimSuffix(strings.TrimSuffix(w, "’s"), "'s")
	if len(w) <= 3 {
		return 1
	}
	isVowel := func(r rune) bool { return strings.ContainsRune("aeiouy", r) }
	n, prev := 0, false
	runes := []rune(w)
	for _, r := range runes {
		v := isVowel(unicode.ToLower(r))
		if v && !prev {
			n++
		}
		prev = v
	}
	// A final e is silent (make, side), but not in -le after a consonant (table).
	if strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "le") && !strings.HasSuffix(w, "ee") && n > 1 {
		n--
	}
	// -ed is silent except after t or d (asked, but wanted).
	if strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "ted") && !strings.HasSuffix(w, "ded") && n > 1 {
		n--
	}
	// -es is silent except after s, x, z, ch, sh, ce, ge (makes, but boxes).
	if strings.HasSuffix(w, "es") && n > 1 && !(strings.HasSuffix(w, "ses") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "zes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "ces") || strings.HasSuffix(w, "ges")) {
		n--
	}
	if n < 1 {
		n = 1
	}
	return n
}
