// module correlate
