package atomicfile

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Tests run as root, where no directory is read-only; the sentences for such failures are
// checked here from the errors the system would give.
func TestStorageErrorSentences(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&os.PathError{Op: "open", Path: "/x", Err: syscall.EROFS}, "isn't allowed"},
		{&os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}, "isn't allowed"},
		{fmt.Errorf("write: %w", syscall.ENOSPC), "disk is full"},
		{&os.PathError{Op: "mkdir", Path: "/x", Err: syscall.ENOTDIR}, "Check that the folder exists"},
	}
	for _, tt := range tests {
		err := StorageError("/some/dir/state.json", tt.err)
		if problem.KindOf(err) != problem.KindStorage {
			t.Fatalf("kind %s", problem.KindOf(err))
		}
		if !strings.Contains(err.Summary, tt.want) || !strings.Contains(err.Summary, "/some/dir/state.json") {
			t.Errorf("%v: summary %q should say %q and name the path", tt.err, err.Summary, tt.want)
		}
	}
}
