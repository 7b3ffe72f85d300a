package main

var os = 1
