// module classify
