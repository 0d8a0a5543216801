package idmap

import (
	"testing"

	"github.com/nonroot-go/nonroot/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
