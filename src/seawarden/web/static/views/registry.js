// The registry pages: registered with registerView() from ../core.js.
