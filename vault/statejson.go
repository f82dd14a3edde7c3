package vault

import (
	"bytes"
	"encoding/json"
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
	var top object
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	if top["integration"], err = withUnknown(top["integration"], s.Integration.unknown); err != nil {
		return nil, err
	}
	var companies []json.RawMessage
	if err := json.Unmarshal(top["companies"], &companies); err != nil {
		return nil, err
	}
	for i, c := range s.Companies {
		if companies[i], err = c.withUnknown(companies[i]); err != nil {
			return nil, err
		}
	}
	if top["companies"], err = json.Marshal(companies); err != nil {
		return nil, err
	}
	merged, err := json.Marshal(top)
	if err != nil {
		return nil, err
	}
	return withUnknown(merged, s.unknown)
}

// withUnknown adds to raw, the company's plain encoding, the members of its objects this
// version doesn't know.
func (c *Company) withUnknown(raw json.RawMessage) (json.RawMessage, error) {
	if !c.hasUnknown() {
		return raw, nil
	}
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, err
	}
	var err error
	if c.LastCheck != nil {
		if o["last_check"], err = withUnknown(o["last_check"], c.LastCheck.unknown); err != nil {
			return nil, err
		}
	}
	if c.LastError != nil {
		if o["last_error"], err = withUnknown(o["last_error"], c.LastError.unknown); err != nil {
			return nil, err
		}
	}
	if c.HandedOff != nil {
		if o["handed_off"], err = withUnknown(o["handed_off"], c.HandedOff.unknown); err != nil {
			return nil, err
		}
	}
	var sites []json.RawMessage
	if err := json.Unmarshal(o["sites"], &sites); err != nil {
		return nil, err
	}
	for j, site := range c.Sites {
		if sites[j], err = withUnknown(sites[j], site.unknown); err != nil {
			return nil, err
		}
	}
	if o["sites"], err = json.Marshal(sites); err != nil {
		return nil, err
	}
	merged, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	return withUnknown(merged, c.unknown)
}

// hasUnknown reports whether any object of the state holds members this version doesn't know.
func (s *State) hasUnknown() bool {
	if len(s.unknown) > 0 || len(s.Integration.unknown) > 0 {
		return true
	}
	for i := range s.Companies {
		if s.Companies[i].hasUnknown() {
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
