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
// drops what another version put there. Key order is not kept (it means nothing in JSON).
//
// Finding and writing them costs nothing while there are none, which is the usual case: the
// state is decoded once with unknown members refused, and only when that fails is it decoded
// again to collect them (see State.UnmarshalJSON); it is encoded as plain structs, and only
// when some object holds unknown members are they merged into the encoding.
type unknownFields map[string]json.RawMessage

// object is one JSON object's members, undecoded.
type object map[string]json.RawMessage

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

// objectOf decodes raw as a JSON object; nil when it is not one (null, missing, or another
// kind of value: then it holds no members of its own to keep).
func objectOf(raw json.RawMessage) object {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var o object
	if json.Unmarshal(raw, &o) != nil {
		return nil
	}
	return o
}

// member returns o's member for the field named name, matched as encoding/json matches
// names to fields: exactly first, else without regard to case.
func (o object) member(name string) json.RawMessage {
	if v, ok := o[name]; ok {
		return v
	}
	for k, v := range o {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// unknownIn returns the members of o that no field of the struct type of v matches (as
// encoding/json matches them: without regard to case), nil when there are none.
func unknownIn(o object, v any) unknownFields {
	names := jsonNames(reflect.TypeOf(v))
	var unknown unknownFields
	for key, value := range o {
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, key) }) {
			continue
		}
		if unknown == nil {
			unknown = unknownFields{}
		}
		unknown[key] = value
	}
	return unknown
}

// withUnknown returns raw, the encoding of one object, with the unknown members added, each
// value exactly as it was read; raw itself when there are none.
func withUnknown(raw json.RawMessage, unknown unknownFields) (json.RawMessage, error) {
	if len(unknown) == 0 {
		return raw, nil
	}
	raw = bytes.TrimSpace(raw)
	out := bytes.NewBuffer(make([]byte, 0, len(raw)+64*len(unknown)))
	out.Write(raw[:len(raw)-1]) // all but the closing brace
	first := bytes.Equal(raw, []byte("{}"))
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
