package export

import (
	"encoding/json"
	"log/slog"
)

// slog and encoding/json see Doc and Company only redacted, like fmt (see String): the files
// are written from their own JSON types, never from these.

// LogValue keeps the secrets out of slog.
func (d Doc) LogValue() slog.Value { return slog.StringValue(d.String()) }

// MarshalJSON writes the redacted form, for slog's JSON handler given a slice of them.
func (d Doc) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// LogValue keeps the tokens out of slog.
func (c Company) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON writes the redacted form, for slog's JSON handler given a slice of them.
func (c Company) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }
