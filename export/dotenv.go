package export

import (
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pair is one KEY=value of the dotenv export (and of the Kubernetes Secret's stringData).
type pair struct{ key, value string }

// envPairs lists the export's keys and values in file order (see encode for the names).
func envPairs(doc Doc) []pair {
	var out []pair
	add := func(k, v string) { out = append(out, pair{k, v}) }
	add("LIGHTSPEED_PRODUCT", doc.Product)
	add("LIGHTSPEED_CLIENT_ID", doc.ClientID)
	if doc.ClientSecret != "" {
		add("LIGHTSPEED_CLIENT_SECRET", doc.ClientSecret)
	}
	add("LIGHTSPEED_TOKEN_URL", doc.TokenURL)
	add("LIGHTSPEED_API_BASE_URL", doc.APIBaseURL)
	add("LIGHTSPEED_COMPANY_COUNT", strconv.Itoa(len(doc.Companies)))
	company := func(prefix string, c Company, addresses bool) {
		ids := make([]string, len(c.Sites))
		for i, s := range c.Sites {
			ids[i] = strconv.FormatInt(s.ID, 10)
		}
		add(prefix+"COMPANY_ID", strconv.FormatInt(c.ID, 10))
		add(prefix+"COMPANY_EXTERNAL_ID", c.ExternalID)
		add(prefix+"COMPANY_NAME", c.Name)
		if addresses { // else the top-level keys of the same names hold them
			add(prefix+"TOKEN_URL", c.TokenURL)
			add(prefix+"API_BASE_URL", c.APIBaseURL)
		}
		add(prefix+"SITE_IDS", strings.Join(ids, ","))
		for i, s := range c.Sites {
			site := prefix + "SITE_" + strconv.Itoa(i+1) + "_"
			add(site+"ID", strconv.FormatInt(s.ID, 10))
			if s.ExternalID != "" {
				add(site+"EXTERNAL_ID", s.ExternalID)
			}
			add(site+"NAME", s.Name)
			add(site+"CODE", s.Code)
		}
		add(prefix+"ACCESS_TOKEN", c.AccessToken)
		add(prefix+"ACCESS_TOKEN_EXPIRES_AT", timeText(c.AccessExpiry))
		add(prefix+"REFRESH_TOKEN", c.RefreshToken)
	}
	for i, c := range doc.Companies {
		company("LIGHTSPEED_"+strconv.Itoa(i+1)+"_", c, true)
	}
	if len(doc.Companies) == 1 {
		company("LIGHTSPEED_", doc.Companies[0], false)
	}
	return out
}

func encodeDotenv(w io.Writer, doc Doc) error {
	var b strings.Builder
	b.WriteString("# Lightspeed Connect export, " + timeText(doc.ExportedAt) +
		". It holds secrets: keep it private and delete it when done.\n")
	for _, p := range envPairs(doc) {
		v, _ := dotenvValue(p.value)
		b.WriteString(p.key + "=" + v + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// inexactDotenv lists the keys whose values no way of writing makes every reader read back
// exactly.
func inexactDotenv(doc Doc) []string {
	var keys []string
	for _, p := range envPairs(doc) {
		if _, exact := dotenvValue(p.value); !exact {
			keys = append(keys, p.key)
		}
	}
	return keys
}

// The readers a .env export must satisfy are godotenv (Go) and python-dotenv with its default
// settings (interpolation on). Their rules, read from their sources and checked against both
// in the tests:
//
//   - single quotes: godotenv takes everything literally up to the next ' that has no
//     backslash before it; python-dotenv turns \\ into \ and \' into ', reads the file with
//     universal newlines (a CR becomes a LF) and then expands ${NAME} and ${NAME:-default};
//   - double quotes: godotenv turns \n and \r into LF and CR, drops the backslash of any
//     other \x except \$, then expands $NAME, ${NAME} and $(NAME and drops the backslash of
//     \$; it also trims every " from the end of the value. python-dotenv turns \\ \' \" \a \b
//     \f \n \r \t \v into their characters, leaves any other backslash, and expands ${…};
//   - bare (unquoted): both read to the end of the line, cut a # that follows white space,
//     trim white space; godotenv expands as in double quotes, python-dotenv as always.
//
// So a value goes in single quotes when it can (every reader, shells too, takes those
// literally), else in double quotes with \\ \" \n \r escapes, else bare. ${…} can never be
// kept from python-dotenv, nor $NAME in a value that needs double quotes from one of the two.
var (
	// pythonInterpolation is python-dotenv's _posix_variable.
	pythonInterpolation = regexp.MustCompile(`\$\{[^}:]*(?::-[^}]*)?\}`)
	// godotenvExpansion is what godotenv's expandVarRegex expands or rewrites: $ with a name
	// after it (optionally after "(" and "{"), or any \$.
	godotenvExpansion = regexp.MustCompile(`\$\(?\{?[A-Z0-9_]|\\\$`)
)

type dotenvForm int

const (
	formSingle dotenvForm = iota
	formDouble
	formBare
	// formDoubleDollar is formDouble with \$ for $, which godotenv reads as $ but
	// python-dotenv as \$: only for values that can't satisfy both.
	formDoubleDollar
)

var (
	// dotenvForms are the ways that may satisfy both readers.
	dotenvForms = []dotenvForm{formSingle, formDouble, formBare}
	// godotenvForms are the ways tried, in order, for a value that can't satisfy both.
	godotenvForms = []dotenvForm{formSingle, formDouble, formBare, formDoubleDollar}
)

// dotenvValue writes s for a .env file and says whether godotenv and python-dotenv both read
// it back exactly. When they can't both, it is written the way godotenv reads exactly if any
// way does, else in double quotes. Whatever it holds, the value never runs into the lines
// around it: what no reader can take is replaced by U+FFFD, as the JSON export does for invalid
// UTF-8 (which python-dotenv refuses for the whole file), and so is a trailing backslash that
// would have to go before a closing quote.
func dotenvValue(s string) (string, bool) {
	if !utf8.ValidString(s) {
		v, _ := dotenvValue(validUTF8(s))
		return v, false
	}
	forms := dotenvForms
	if strings.Contains(s, "\n") {
		forms = []dotenvForm{formDouble, formSingle, formBare} // keep one value on one line
	}
	for _, f := range forms {
		if f.godotenvExact(s) && f.pythonExact(s) {
			return f.write(s), true
		}
	}
	for _, f := range godotenvForms {
		if f.godotenvExact(s) {
			return f.write(s), false
		}
	}
	trimmed := strings.TrimRight(s, `\`)
	return formDoubleDollar.write(trimmed + strings.Repeat("\uFFFD", len(s)-len(trimmed))), false
}

// validUTF8 replaces each byte that is not part of valid UTF-8 with U+FFFD, as encoding/json
// does, so every export format holds the same text.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // utf8.RuneError for an invalid byte
		i += n
	}
	return b.String()
}

func (f dotenvForm) write(s string) string {
	switch f {
	case formSingle:
		return "'" + s + "'"
	case formDouble:
		return dotenvQuoteDouble(s)
	case formDoubleDollar:
		return strings.ReplaceAll(dotenvQuoteDouble(s), "$", `\$`)
	}
	return s
}

// godotenvExact says whether godotenv reads s, written in form f, back exactly.
func (f dotenvForm) godotenvExact(s string) bool {
	switch f {
	case formSingle:
		return !strings.ContainsAny(s, "'\r") && !strings.HasSuffix(s, `\`)
	case formDouble:
		return !godotenvExpansion.MatchString(s) && !strings.HasSuffix(s, `"`) && !strings.HasSuffix(s, `\`)
	case formDoubleDollar:
		return !strings.HasSuffix(s, `"`) && !strings.HasSuffix(s, `\`)
	}
	return bareSafe(s) && !godotenvExpansion.MatchString(s)
}

// pythonExact says whether python-dotenv reads s, written in form f, back exactly.
func (f dotenvForm) pythonExact(s string) bool {
	if pythonInterpolation.MatchString(s) {
		return false
	}
	switch f {
	case formSingle:
		return !strings.ContainsAny(s, "'\r") && !strings.Contains(s, `\\`) && !strings.HasSuffix(s, `\`)
	case formDouble:
		return !strings.HasSuffix(s, `\`)
	case formDoubleDollar:
		return !strings.Contains(s, "$") && !strings.HasSuffix(s, `\`)
	}
	return bareSafe(s)
}

// bareSafe says whether both readers take s unquoted as it is (expansion aside): one line, no
// quote at the start, no white space at either end, no # after white space.
func bareSafe(s string) bool {
	if s == "" || s[0] == '\'' || s[0] == '"' || strings.ContainsAny(s, "\r\n") {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if dotenvBlank(first) || dotenvBlank(last) {
		return false
	}
	prev := first
	for _, r := range s {
		if r == '#' && dotenvBlank(prev) {
			return false
		}
		prev = r
	}
	return true
}

// dotenvBlank is white space to either reader: Go's unicode.IsSpace and Python's str.isspace,
// which adds the separators U+001C to U+001F.
func dotenvBlank(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// dotenvQuoteDouble double-quotes s: backslash and double quote get a backslash, LF and CR
// become \n and \r, so the value stays on one line. Nothing else is escaped: \$ and \` would
// keep their backslash in python-dotenv.
func dotenvQuoteDouble(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
