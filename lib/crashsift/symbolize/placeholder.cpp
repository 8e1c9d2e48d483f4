// module symbolize
