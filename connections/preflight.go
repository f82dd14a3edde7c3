package connections

import (
	"context"
	"fmt"
	"os"

	"golang.org/x/sync/errgroup"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
)

// preflight checks, before any browser opens, everything that would otherwise fail only
// after the person has granted access: the keyring takes a test write, read and delete; the
// state directory is writable; the token endpoint answers. (The Redirect URI's port is bound
// by StartConnect itself.) Each failure is its own plain sentence; the first one found is
// returned, keyring first.
func (c *Core) preflight(ctx context.Context, s Settings) error {
	var g errgroup.Group
	var keyringErr, dirErr, endpointErr error
	g.Go(func() error { keyringErr = c.vault.Secrets.Probe(ctx); return nil })
	g.Go(func() error { dirErr = checkWritable(c.vault.Store.Dir()); return nil })
	g.Go(func() error {
		endpointErr = oauth.ProbeTokenEndpoint(ctx, s.profile().TokenURL, c.http)
		return nil
	})
	_ = g.Wait()
	for _, err := range []error{keyringErr, dirErr, endpointErr} {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkWritable makes dir if needed and writes and removes a small file in it.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return notWritable(dir, err)
	}
	f, err := os.CreateTemp(dir, ".preflight-*")
	if err != nil {
		return notWritable(dir, err)
	}
	name := f.Name()
	_, werr := f.Write([]byte("ok"))
	cerr := f.Close()
	_ = os.Remove(name)
	if werr != nil {
		return notWritable(dir, werr)
	}
	if cerr != nil {
		return notWritable(dir, cerr)
	}
	return nil
}

func notWritable(dir string, cause error) error {
	return problem.New(problem.KindStorage,
		fmt.Sprintf("The app can't save its settings in %s, so a connection could not be kept. Make that folder writable (or free some disk space), then try again.", dir),
		cause).WithDetail("state directory %s is not writable", dir)
}
