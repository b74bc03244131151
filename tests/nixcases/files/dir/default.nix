{ fromDir = true; here = ./.; }
