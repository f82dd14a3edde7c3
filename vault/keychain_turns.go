package vault

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/zalando/go-keyring"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// The keychain's scheduling: every call on the keyring runs under a timeout in a goroutine of
// its own, and calls on one item take turns until the keyring has really answered (see
// Secrets). The secrets API itself is in secrets.go.

// turnStripes is how many turns the items share: an item always maps to the same one, and two
// items sharing one merely take turns too.
const turnStripes = 64

// allWeight is the weight of the all semaphore: more calls than could ever run at once.
const allWeight = 1 << 30

type callResult struct {
	value string
	err   error
}

// call runs fn, a call on item ("" for every item), in its own goroutine under the keyring
// timeout. go-keyring has no context, so a hung keyring leaves that goroutine waiting until
// the keyring answers; the caller is released at once. A write that times out may still land
// later: it is reported as failed, the caller keeps the value in memory, and the item stays
// taken (see Secrets) until the keyring has answered, so the late write cannot land over a
// newer one. Waiting for an earlier call's turn counts against the timeout.
func (s *Secrets) call(ctx context.Context, what, item string, fn func() (string, error)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", canceled(err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	release, err := s.take(ctx, item)
	if err != nil {
		return "", s.notAnswered(ctx, what)
	}
	done := make(chan callResult, 1)
	go func() {
		defer release() // only once the keyring has answered
		defer func() {
			if r := recover(); r != nil {
				done <- callResult{err: fmt.Errorf("keyring %s panicked: %v", what, r)}
			}
		}()
		v, err := fn()
		done <- callResult{v, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", s.classify(what, r.err)
		}
		return r.value, nil
	case <-ctx.Done():
		return "", s.notAnswered(ctx, what)
	}
}

// notAnswered is the error of a call whose ctx ended first: cancelled, or timed out.
func (s *Secrets) notAnswered(ctx context.Context, what string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return canceled(ctx.Err())
	}
	return problem.New(problem.KindKeyringUnavailable, keyringSentence(s.goos, "didn't answer in time"), ctx.Err()).
		WithDetail("keyring %s under service %q timed out after %s", what, s.service, s.timeout)
}

// turn is the channel whose slot is item's turn.
func (s *Secrets) turn(item string) chan struct{} {
	h := fnv.New32a()
	_, _ = h.Write([]byte(item))
	return s.turns[h.Sum32()%turnStripes]
}

// take waits for item's turn (every item's when item is ""); release gives it back.
func (s *Secrets) take(ctx context.Context, item string) (release func(), err error) {
	if item == "" {
		if err := s.all.Acquire(ctx, allWeight); err != nil {
			return nil, err
		}
		return func() { s.all.Release(allWeight) }, nil
	}
	turn := s.turn(item)
	select {
	case turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := s.all.Acquire(ctx, 1); err != nil {
		<-turn
		return nil, err
	}
	return func() {
		s.all.Release(1)
		<-turn
	}, nil
}

// itemsSettled reports whether no keyring call on any of items is running now.
func (s *Secrets) itemsSettled(items ...string) bool {
	for _, item := range items {
		select {
		case s.turn(item) <- struct{}{}:
			<-s.turn(item)
		default:
			return false
		}
	}
	return true
}

// settleItems waits until every keyring call on items started so far has really returned,
// even those whose callers stopped waiting, or until ctx ends. The turns are taken one at a
// time (two items may share one).
func (s *Secrets) settleItems(ctx context.Context, items ...string) error {
	for _, item := range items {
		select {
		case s.turn(item) <- struct{}{}:
			<-s.turn(item)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// settled reports whether no keyring call is running now.
func (s *Secrets) settled() bool {
	if !s.all.TryAcquire(allWeight) {
		return false
	}
	s.all.Release(allWeight)
	return true
}

// settle waits until every keyring call started so far has really returned, even those
// whose callers stopped waiting, or until ctx ends.
func (s *Secrets) settle(ctx context.Context) error {
	if err := s.all.Acquire(ctx, allWeight); err != nil {
		return err
	}
	s.all.Release(allWeight)
	return nil
}

// classify turns a backend error into a *problem.Error with a plain sentence.
func (s *Secrets) classify(what string, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return problem.New(problem.KindNotFound, "The item isn't in this computer's keychain.", err).
			WithDetail("keyring %s under service %q: not found", what, s.service)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return tooBig(s.service, err)
	case problem.As(err) != nil:
		return err
	default:
		return problem.New(problem.KindKeyringUnavailable, keyringSentence(s.goos, "isn't available"), err).
			WithDetail("keyring %s under service %q failed: %v", what, s.service, err)
	}
}

func canceled(err error) error {
	return problem.New(problem.KindCanceled, "Cancelled.", err)
}
