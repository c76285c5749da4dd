// The dangerous-goods pages: registered with registerView() from ../core.js.
