module tlsalert.test/keylog/gen

go 1.19
