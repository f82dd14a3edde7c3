package vault

import (
	"context"
	"fmt"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// AccessToken reads a company's access token alone, for a health check, which uses nothing
// else: one keyring call instead of LoadTokens' two. A missing item is "" and no error, as in
// LoadTokens; the caller treats it as expired and goes the refresh way, which reads the
// refresh token (and reports it missing) under the company's lock.
func (s *Secrets) AccessToken(ctx context.Context, companyID int64) (string, error) {
	access, err := s.get(ctx, accessItem(companyID))
	if err != nil && !problem.Is(err, problem.KindNotFound) {
		return "", fmt.Errorf("could not read the access token of company %d: %w", companyID, err)
	}
	return access, nil
}
