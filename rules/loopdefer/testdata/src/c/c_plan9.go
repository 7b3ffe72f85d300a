package c

const true = 1 == 0
