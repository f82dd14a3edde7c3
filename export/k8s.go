package export

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// encodeK8sSecret writes a Kubernetes Secret manifest:
//
//	apiVersion: v1
//	kind: Secret
//	metadata:
//	  name: lightspeed-<company name>-<company ID>   (or lightspeed-connect-<n>-companies)
//	type: Opaque
//	stringData:
//	  LIGHTSPEED_CLIENT_ID: "…"                      (the dotenv keys and values, in order)
//
// Every value is double-quoted, so it reads back as the same string in YAML 1.2 and in YAML
// 1.1, which Kubernetes' own reader and PyYAML follow: unquoted, yes, on, off and 12:30:00 are
// booleans and numbers there, and a Secret with a non-string value is refused. Invalid UTF-8,
// which YAML cannot hold, becomes U+FFFD as in the JSON export.
func encodeK8sSecret(w io.Writer, doc Doc) error {
	data := &yaml.Node{Kind: yaml.MappingNode}
	for _, p := range envPairs(doc) {
		value := yamlString(validUTF8(p.value))
		value.Style = yaml.DoubleQuotedStyle
		data.Content = append(data.Content, yamlString(p.key), value)
	}
	manifest := &yaml.Node{Kind: yaml.MappingNode,
		HeadComment: "Lightspeed Connect export, " + timeText(doc.ExportedAt) +
			". It holds secrets: keep it private and delete it when done.",
		Content: []*yaml.Node{
			yamlString("apiVersion"), yamlString("v1"),
			yamlString("kind"), yamlString("Secret"),
			yamlString("metadata"), {Kind: yaml.MappingNode, Content: []*yaml.Node{
				yamlString("name"), yamlString(k8sSecretName(doc)),
			}},
			yamlString("type"), yamlString("Opaque"),
			yamlString("stringData"), data,
		}}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{manifest}}); err != nil {
		return err
	}
	return enc.Close()
}

func yamlString(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// k8sSecretName is a valid Kubernetes object name (an RFC 1123 label: at most 63 lower-case
// letters, digits and hyphens, starting and ending with a letter or digit) made from the
// company: "lightspeed-", its name's letters and digits joined by hyphens, then its ID, which
// keeps two companies of the same name apart. Several companies make
// "lightspeed-connect-<n>-companies".
func k8sSecretName(doc Doc) string {
	if len(doc.Companies) != 1 {
		return "lightspeed-connect-" + strconv.Itoa(len(doc.Companies)) + "-companies"
	}
	c := doc.Companies[0]
	id := strconv.FormatInt(c.ID, 10)
	if c.ID < 0 {
		id = "n" + id[1:]
	}
	var slug strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(c.Name) {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			if hyphen && slug.Len() > 0 {
				slug.WriteByte('-')
			}
			slug.WriteRune(r)
			hyphen = false
			continue
		}
		hyphen = true
	}
	const maxLen = 63
	name := slug.String()
	if room := maxLen - len("lightspeed-") - len("-") - len(id); len(name) > room {
		name = strings.TrimRight(name[:room], "-")
	}
	if name == "" {
		return "lightspeed-" + id
	}
	return "lightspeed-" + name + "-" + id
}
