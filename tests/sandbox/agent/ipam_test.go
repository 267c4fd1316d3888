package main

import "testing"

func TestLoopbackIPAMHandsOutDistinctAddressesRoundRobin(t *testing.T) {
	m := newLoopbackIPAM(10, 12)
	a, _ := m.Allocate("a", "")
	b, _ := m.Allocate("b", "")
	if a != "127.0.0.10" || b != "127.0.0.11" {
		t.Fatalf("got %s %s", a, b)
	}
	m.Release("a")
	c, _ := m.Allocate("c", "")
	if c != "127.0.0.12" {
		t.Fatalf("freed address reused too early: %s", c)
	}
	d, _ := m.Allocate("d", "")
	if d != "127.0.0.10" {
		t.Fatalf("wrap-around: %s", d)
	}
	if _, err := m.Allocate("e", ""); err == nil {
		t.Fatal("expected exhaustion")
	}
	again, _ := m.Allocate("b", "")
	if again != b {
		t.Fatalf("owner got a second address %s", again)
	}
}

func TestLoopbackIPAMKeepsPreferredAddress(t *testing.T) {
	m := newLoopbackIPAM(10, 20)
	got, _ := m.Allocate("p", "127.0.0.15")
	if got != "127.0.0.15" {
		t.Fatalf("got %s", got)
	}
	other, _ := m.Allocate("q", "127.0.0.15")
	if other == "127.0.0.15" {
		t.Fatal("address given twice")
	}
	outside, _ := m.Allocate("r", "10.0.0.1")
	if outside == "10.0.0.1" {
		t.Fatal("address outside the range accepted")
	}
}
