package vault

import "encoding/json"

// Every object of the state file keeps the members this version doesn't know (see
// unknownFields): each type below decodes through decodeKeeping and encodes through
// encodeKeeping, by way of a plain copy of itself that has no JSON methods.

// UnmarshalJSON decodes the state, keeping members this version doesn't know.
func (s *State) UnmarshalJSON(data []byte) (err error) {
	type plain State
	s.unknown, err = decodeKeeping(data, (*plain)(s))
	return err
}

// MarshalJSON encodes the state with the members it was read with and doesn't know.
func (s State) MarshalJSON() ([]byte, error) {
	type plain State
	return encodeKeeping(plain(s), s.unknown)
}

// UnmarshalJSON decodes the integration, keeping members this version doesn't know.
func (i *Integration) UnmarshalJSON(data []byte) (err error) {
	type plain Integration
	i.unknown, err = decodeKeeping(data, (*plain)(i))
	return err
}

// MarshalJSON encodes the integration with the members it was read with and doesn't know.
func (i Integration) MarshalJSON() ([]byte, error) {
	type plain Integration
	return encodeKeeping(plain(i), i.unknown)
}

// UnmarshalJSON decodes the company, keeping members this version doesn't know.
func (c *Company) UnmarshalJSON(data []byte) (err error) {
	type plain Company
	c.unknown, err = decodeKeeping(data, (*plain)(c))
	return err
}

// MarshalJSON encodes the company with the members it was read with and doesn't know.
func (c Company) MarshalJSON() ([]byte, error) {
	type plain Company
	return encodeKeeping(plain(c), c.unknown)
}

// UnmarshalJSON decodes the site, keeping members this version doesn't know.
func (s *Site) UnmarshalJSON(data []byte) (err error) {
	type plain Site
	s.unknown, err = decodeKeeping(data, (*plain)(s))
	return err
}

// MarshalJSON encodes the site with the members it was read with and doesn't know.
func (s Site) MarshalJSON() ([]byte, error) {
	type plain Site
	return encodeKeeping(plain(s), s.unknown)
}

// UnmarshalJSON decodes the check, keeping members this version doesn't know.
func (c *Check) UnmarshalJSON(data []byte) (err error) {
	type plain Check
	c.unknown, err = decodeKeeping(data, (*plain)(c))
	return err
}

// MarshalJSON encodes the check with the members it was read with and doesn't know.
func (c Check) MarshalJSON() ([]byte, error) {
	type plain Check
	return encodeKeeping(plain(c), c.unknown)
}

// UnmarshalJSON decodes the failure, keeping members this version doesn't know.
func (f *Failure) UnmarshalJSON(data []byte) (err error) {
	type plain Failure
	f.unknown, err = decodeKeeping(data, (*plain)(f))
	return err
}

// MarshalJSON encodes the failure with the members it was read with and doesn't know.
func (f Failure) MarshalJSON() ([]byte, error) {
	type plain Failure
	return encodeKeeping(plain(f), f.unknown)
}

// UnmarshalJSON decodes the hand-off, keeping members this version doesn't know.
func (h *HandOff) UnmarshalJSON(data []byte) (err error) {
	type plain HandOff
	h.unknown, err = decodeKeeping(data, (*plain)(h))
	return err
}

// MarshalJSON encodes the hand-off with the members it was read with and doesn't know.
func (h HandOff) MarshalJSON() ([]byte, error) {
	type plain HandOff
	return encodeKeeping(plain(h), h.unknown)
}

var (
	_ json.Marshaler   = State{}
	_ json.Unmarshaler = (*State)(nil)
)
