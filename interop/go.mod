module github.com/a12b7632/elementevents/interop

go 1.26.0

require (
	github.com/a12b7632/elementevents v0.0.0
	github.com/standard-webhooks/standard-webhooks/libraries v0.0.1
	github.com/stretchr/testify v1.12.1
	github.com/svix/svix-webhooks v1.45.0
)

require (
	github.com/jonboulle/clockwork v0.5.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	gopkg.in/validator.v2 v2.0.1 // indirect
)

replace github.com/a12b7632/elementevents => ../
