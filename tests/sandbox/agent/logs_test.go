package main

import (
	"testing"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node/api"
)

func TestSelectLogLinesAppliesTailAndSince(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	data := []byte(
		now.Add(-time.Hour).Format(time.RFC3339Nano) + " stdout old line\n" +
			now.Add(-time.Minute).Format(time.RFC3339Nano) + " stderr recent error\n" +
			now.Format(time.RFC3339Nano) + " stdout The Name Server boot success.\n")
	all := selectLogLines(data, api.ContainerLogOpts{}, now)
	if len(all) != 3 || all[2].text != "The Name Server boot success." {
		t.Fatalf("%+v", all)
	}
	tail := selectLogLines(data, api.ContainerLogOpts{Tail: 1}, now)
	if len(tail) != 1 || tail[0].text != "The Name Server boot success." {
		t.Fatalf("tail %+v", tail)
	}
	since := selectLogLines(data, api.ContainerLogOpts{SinceSeconds: 120}, now)
	if len(since) != 2 {
		t.Fatalf("since %+v", since)
	}
	if got := formatLogLine(all[1], api.ContainerLogOpts{Timestamps: true}); got != now.Add(-time.Minute).Format(time.RFC3339Nano)+" recent error\n" {
		t.Fatalf("timestamps %q", got)
	}
}
