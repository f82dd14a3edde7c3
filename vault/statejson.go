package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// plainState is State without its JSON methods: encoding/json's own encoding of its fields.
type plainState State

// UnmarshalJSON decodes the state and keeps, in every object it owns (the state, the
// integration, each company and its sites, last check, last error and hand-off), the members
// this version doesn't know. The first decode refuses unknown members; a state without any
// (the usual case) is done then, at the cost of a plain decode. Otherwise the state is decoded
// again, leniently, and its objects once more as members, to collect what they don't know.
func (s *State) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode((*plainState)(s)); err == nil && len(bytes.TrimSpace(data[dec.InputOffset():])) == 0 {
		return nil
	}
	*s = State{}
	if err := json.Unmarshal(data, (*plainState)(s)); err != nil {
		return err
	}
	top := objectOf(data)
	s.unknown = unknownIn(top, plainState{})
	if o := objectOf(top.member("integration")); o != nil {
		s.Integration.unknown = unknownIn(o, Integration{})
	}
	for product, raw := range objectOf(top.member("product_integrations")) {
		if in, ok := s.ProductIntegrations[product]; ok {
			in.unknown = unknownIn(objectOf(raw), Integration{})
			s.ProductIntegrations[product] = in
		}
	}
	var companies []json.RawMessage
	_ = json.Unmarshal(top.member("companies"), &companies)
	for i := range min(len(companies), len(s.Companies)) {
		c := &s.Companies[i]
		o := objectOf(companies[i])
		c.unknown = unknownIn(o, Company{})
		var sites []json.RawMessage
		_ = json.Unmarshal(o.member("sites"), &sites)
		for j := range min(len(sites), len(c.Sites)) {
			c.Sites[j].unknown = unknownIn(objectOf(sites[j]), Site{})
		}
		if c.LastCheck != nil {
			c.LastCheck.unknown = unknownIn(objectOf(o.member("last_check")), Check{})
		}
		if c.LastError != nil {
			c.LastError.unknown = unknownIn(objectOf(o.member("last_error")), Failure{})
		}
		if c.HandedOff != nil {
			c.HandedOff.unknown = unknownIn(objectOf(o.member("handed_off")), HandOff{})
		}
	}
	return nil
}

// MarshalJSON encodes the state with, in each of its objects, the members it was read with
// and doesn't know. Without any (the usual case) it is encoding/json's plain encoding.
func (s State) MarshalJSON() ([]byte, error) {
	data, err := json.Marshal(plainState(s))
	if err != nil || !s.hasUnknown() {
		return data, err
	}
	return mergeObject(data, s.unknown, func(top object) error {
		if err := mergeMember(top, "integration", s.Integration.unknown); err != nil {
			return err
		}
		if s.productsHaveUnknown() {
			merged, err := mergeObject(top["product_integrations"], nil, func(products object) error {
				for product, in := range s.ProductIntegrations {
					if err := mergeMember(products, product, in.unknown); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			top["product_integrations"] = merged
		}
		return mergeEach(top, "companies", len(s.Companies), func(i int, raw json.RawMessage) (json.RawMessage, error) {
			return s.Companies[i].withUnknown(raw)
		})
	})
}

// withUnknown adds to raw, the company's plain encoding, the members of its objects this
// version doesn't know.
func (c *Company) withUnknown(raw json.RawMessage) (json.RawMessage, error) {
	if !c.hasUnknown() {
		return raw, nil
	}
	inner := map[string]unknownFields{}
	if c.LastCheck != nil {
		inner["last_check"] = c.LastCheck.unknown
	}
	if c.LastError != nil {
		inner["last_error"] = c.LastError.unknown
	}
	if c.HandedOff != nil {
		inner["handed_off"] = c.HandedOff.unknown
	}
	return mergeObject(raw, c.unknown, func(o object) error {
		for key, unknown := range inner {
			if err := mergeMember(o, key, unknown); err != nil {
				return err
			}
		}
		return mergeEach(o, "sites", len(c.Sites), func(j int, raw json.RawMessage) (json.RawMessage, error) {
			return withUnknown(raw, c.Sites[j].unknown)
		})
	})
}

// mergeObject adds unknown members to raw, one object's encoding, after nested has added those
// of the objects inside it (given its members to change). The members keep their order, so
// the schema stays first in the file, where what is left of a file cut short can still say it.
func mergeObject(raw json.RawMessage, unknown unknownFields, nested func(object) error) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not an object: %.20q", raw)
	}
	var keys []string
	o := object{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		keys = append(keys, key)
		o[key] = value
	}
	if err := nested(o); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for i, key := range keys {
		if i > 0 {
			out.WriteByte(',')
		}
		name, _ := json.Marshal(key)
		out.Write(name)
		out.WriteByte(':')
		out.Write(o[key])
	}
	out.WriteByte('}')
	return withUnknown(out.Bytes(), unknown)
}

// mergeMember adds unknown members to the object o holds under key.
func mergeMember(o object, key string, unknown unknownFields) error {
	if len(unknown) == 0 {
		return nil
	}
	merged, err := withUnknown(o[key], unknown)
	o[key] = merged
	return err
}

// mergeEach replaces each of the first n elements of the array o holds under key with what
// merge makes of it.
func mergeEach(o object, key string, n int, merge func(i int, raw json.RawMessage) (json.RawMessage, error)) error {
	var items []json.RawMessage
	if err := json.Unmarshal(o[key], &items); err != nil {
		return err
	}
	for i := range min(n, len(items)) {
		merged, err := merge(i, items[i])
		if err != nil {
			return err
		}
		items[i] = merged
	}
	merged, err := json.Marshal(items)
	o[key] = merged
	return err
}

// hasUnknown reports whether any object of the state holds members this version doesn't know.
func (s *State) hasUnknown() bool {
	if len(s.unknown) > 0 || len(s.Integration.unknown) > 0 || s.productsHaveUnknown() {
		return true
	}
	for i := range s.Companies {
		if s.Companies[i].hasUnknown() {
			return true
		}
	}
	return false
}

// productsHaveUnknown reports whether another product's integration holds members this
// version doesn't know.
func (s *State) productsHaveUnknown() bool {
	for _, in := range s.ProductIntegrations {
		if len(in.unknown) > 0 {
			return true
		}
	}
	return false
}

// hasUnknown reports whether any object of the company holds members this version doesn't know.
func (c *Company) hasUnknown() bool {
	if len(c.unknown) > 0 ||
		(c.LastCheck != nil && len(c.LastCheck.unknown) > 0) ||
		(c.LastError != nil && len(c.LastError.unknown) > 0) ||
		(c.HandedOff != nil && len(c.HandedOff.unknown) > 0) {
		return true
	}
	for _, site := range c.Sites {
		if len(site.unknown) > 0 {
			return true
		}
	}
	return false
}
