package connections

import (
	"context"
	"fmt"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Settings are the integration's details: what Lightspeed calls the add-on with the client ID
// and secret, and where to reach Lightspeed. The secret lives in the keyring, the rest in the
// state file.
type Settings struct {
	// ClientID identifies the integration at Lightspeed.
	ClientID string
	// ClientSecret is the integration's secret. Never printed, logged or written to the state.
	ClientSecret string
	// RedirectURI is the address registered for the integration, exactly as registered.
	RedirectURI string
	// Profile holds the endpoints: Lightspeed's production ones unless overridden.
	Profile oauth.Profile
	// Practice is true when the endpoints are the built-in practice server's.
	Practice bool
}

// String describes the settings without the secret.
func (s Settings) String() string {
	return fmt.Sprintf("{ClientID:%s ClientSecret:%s RedirectURI:%s Practice:%t}",
		s.ClientID, redacted(s.ClientSecret), s.RedirectURI, s.Practice)
}

// Format makes every fmt verb print the redacted form.
func (s Settings) Format(f fmt.State, _ rune) { fmt.Fprint(f, "connections.Settings"+s.String()) }

func redacted(secret string) string {
	if secret == "" {
		return "(none)"
	}
	return "(hidden)"
}

// Trimmed returns s with surrounding white space removed from every field a person types:
// a stray space from copy and paste must not break a connection.
func (s Settings) Trimmed() Settings {
	s.ClientID = strings.TrimSpace(s.ClientID)
	s.ClientSecret = strings.TrimSpace(s.ClientSecret)
	s.RedirectURI = strings.TrimSpace(s.RedirectURI)
	s.Profile.AuthorizeURL = strings.TrimSpace(s.Profile.AuthorizeURL)
	s.Profile.TokenURL = strings.TrimSpace(s.Profile.TokenURL)
	s.Profile.APIURL = strings.TrimSpace(s.Profile.APIURL)
	return s
}

// Validate checks the settings with the engine's plain sentences: a client ID and secret
// present, a usable Redirect URI, and usable endpoints.
func (s Settings) Validate() error {
	if s.ClientID == "" {
		return problem.New(problem.KindUsage, "Enter the integration's Client ID. Find it in Lightspeed under your integration's settings.", nil)
	}
	if s.ClientSecret == "" {
		return problem.New(problem.KindUsage, "Enter the integration's Client Secret. Find it in Lightspeed under your integration's settings.", nil)
	}
	if _, err := oauth.CheckRedirectURI(s.RedirectURI); err != nil {
		return err
	}
	return s.profile().Validate()
}

// profile returns the endpoints, Lightspeed's for any left empty.
func (s Settings) profile() oauth.Profile {
	p, def := s.Profile, oauth.Lightspeed()
	if p.Name == "" {
		p.Name = def.Name
	}
	if p.AuthorizeURL == "" {
		p.AuthorizeURL = def.AuthorizeURL
	}
	if p.TokenURL == "" {
		p.TokenURL = def.TokenURL
	}
	if p.APIURL == "" {
		p.APIURL = def.APIURL
	}
	return p
}

// SaveSettings checks and stores the integration's details: the secret in the keyring first,
// then the rest in the state file.
func (c *Core) SaveSettings(ctx context.Context, s Settings) error {
	s = s.Trimmed()
	if err := s.Validate(); err != nil {
		return err
	}
	if err := c.vault.Secrets.SetClientSecret(ctx, s.ClientID, s.ClientSecret); err != nil {
		return fmt.Errorf("could not store the client secret: %w", err)
	}
	p := s.profile()
	return c.vault.Store.Update(ctx, func(st *vault.State) error {
		st.Integration = vault.Integration{
			ClientID:     s.ClientID,
			RedirectURI:  s.RedirectURI,
			AuthorizeURL: p.AuthorizeURL,
			TokenURL:     p.TokenURL,
			APIBaseURL:   p.APIURL,
			Practice:     s.Practice,
		}
		return nil
	})
}

// errNoSettings is returned when nothing has been set up yet.
var errNoSettings = problem.New(problem.KindNotFound,
	"The integration isn't set up yet. Enter its Client ID, Client Secret and Redirect URI first.", nil)

// Settings loads the integration's details, the secret from the keyring.
func (c *Core) Settings(ctx context.Context) (Settings, error) {
	s, err := c.savedSettings(ctx)
	if err != nil {
		return Settings{}, err
	}
	secret, err := c.vault.Secrets.ClientSecret(ctx, s.ClientID)
	if err != nil {
		if problem.Is(err, problem.KindNotFound) {
			return s, problem.New(problem.KindInvalidClient,
				"The integration's Client Secret is missing from this computer's keychain. Enter it again in the integration settings.", err)
		}
		return s, fmt.Errorf("could not read the client secret: %w", err)
	}
	s.ClientSecret = secret
	return s, nil
}

// SavedSettings loads the integration's details without the secret, for showing them; it
// does not touch the keyring.
func (c *Core) SavedSettings(ctx context.Context) (Settings, error) {
	return c.savedSettings(ctx)
}

func (c *Core) savedSettings(ctx context.Context) (Settings, error) {
	st, err := c.vault.Store.Load(ctx)
	if err != nil {
		return Settings{}, err
	}
	in := st.Integration
	if in.ClientID == "" {
		return Settings{}, errNoSettings
	}
	name := oauth.Lightspeed().Name
	if in.Practice {
		name = "the practice server"
	}
	return Settings{
		ClientID:    in.ClientID,
		RedirectURI: in.RedirectURI,
		Profile:     oauth.Profile{Name: name, AuthorizeURL: in.AuthorizeURL, TokenURL: in.TokenURL, APIURL: in.APIBaseURL},
		Practice:    in.Practice,
	}, nil
}
