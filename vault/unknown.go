package vault

import (
	"bytes"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// unknownFields are the members of one JSON object in the state file that this version of the
// app has no field for: written by a newer version (or by hand). They are kept as they were
// read and written back beside the fields this version knows, so rewriting the state never
// drops what another version put there. Key order is not kept (it means nothing in JSON);
// they are written sorted, after the known fields.
type unknownFields map[string]json.RawMessage

// knownNames caches, per struct type, the JSON names of its fields.
var knownNames sync.Map // reflect.Type → []string

// jsonNames returns the JSON member names encoding/json uses for t's exported fields.
func jsonNames(t reflect.Type) []string {
	if names, ok := knownNames.Load(t); ok {
		return names.([]string)
	}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names = append(names, name)
	}
	knownNames.Store(t, names)
	return names
}

// decodeKeeping decodes data into v (a pointer to a struct type without JSON methods of its
// own, so no recursion) and returns the members v has no field for. encoding/json matches
// member names to fields without regard to case, so a member is known when it matches a
// field's name that way too: it was decoded into that field and will be written under it.
func decodeKeeping(data []byte, v any) (unknownFields, error) {
	if err := json.Unmarshal(data, v); err != nil {
		return nil, err
	}
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil, nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, err
	}
	names := jsonNames(reflect.TypeOf(v).Elem())
	var unknown unknownFields
	for key, value := range members {
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, key) }) {
			continue
		}
		if unknown == nil {
			unknown = unknownFields{}
		}
		unknown[key] = value
	}
	return unknown, nil
}

// encodeKeeping encodes v (a struct without JSON methods of its own) and adds the unknown
// members after its fields, each value exactly as it was read.
func encodeKeeping(v any, unknown unknownFields) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil || len(unknown) == 0 {
		return data, err
	}
	out := bytes.NewBuffer(make([]byte, 0, len(data)+64*len(unknown)))
	out.Write(data[:len(data)-1]) // all but the closing brace
	first := len(data) == 2       // "{}": no field before the first unknown member
	for _, key := range slices.Sorted(maps.Keys(unknown)) {
		if !first {
			out.WriteByte(',')
		}
		first = false
		name, err := json.Marshal(key)
		if err != nil {
			return nil, err
		}
		out.Write(name)
		out.WriteByte(':')
		out.Write(unknown[key])
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}
